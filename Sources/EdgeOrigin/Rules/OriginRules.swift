import Foundation

/// The ordered rules of a dev origin: the first rule whose pattern matches a path decides its response settings.
public struct OriginRules: Equatable, Sendable {
    /// In file order; the last one is always the default rule, so every path has a rule.
    public private(set) var rules: [OriginRule]

    /// Builds a rule set; a default rule is appended when `rules` does not end with one.
    public init(rules: [OriginRule]) {
        var rules = rules.filter { !$0.isDefault } + rules.filter(\.isDefault).prefix(1)
        if rules.last?.isDefault != true { rules.append(OriginRule()) }
        self.rules = rules
    }

    /// No rules file: every path gets the plain defaults (strong ETag, Last-Modified, no Cache-Control).
    public static let builtIn = OriginRules(rules: [])

    /// Parses rules text; `file` names the source in error messages.
    public static func parse(_ text: String, file: String) throws -> OriginRules {
        try RulesParser.parse(text, file: file)
    }

    /// Reads and parses a rules file. Errors are `RulesError`s naming `path` as given.
    public static func load(path: String) throws -> OriginRules {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RulesError(file: path, line: 0, message: "cannot read the rules file (\(Self.reason(error)))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RulesError(file: path, line: 0, message: "expected UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// The rule for a request path (already percent-decoded and normalised).
    public func rule(for path: String) -> OriginRule {
        rules.first { $0.matches(path) } ?? OriginRule()
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoPermissionError { return "permission denied" }
        return nsError.localizedDescription
    }
}
