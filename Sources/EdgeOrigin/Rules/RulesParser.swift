/// Reads the rules format documented at the top of `origin/rules.conf`.
///
/// The format is a list of blocks. A block opens with `match PATTERN...` (or `default`) and the directive lines
/// below it, one per line, set what responses for those paths carry. The parser stops at the first problem and
/// says which line and what it expected, because a rules file is short and edited by hand.
enum RulesParser {
    static let directives = ["cache-control", "header", "etag", "last-modified", "delay", "rate"]

    /// Response fields the server computes itself; letting a rule set them would produce broken framing or lie
    /// about the representation.
    static let managedHeaders: Set<String> = [
        "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer",
        "content-range", "accept-ranges", "date",
    ]

    /// Fields that have their own directive, so there is one way to say each thing.
    static let headersWithDirectives: [String: String] = [
        "cache-control": "cache-control", "etag": "etag", "last-modified": "last-modified",
    ]

    static func parse(_ text: String, file: String) throws -> OriginRules {
        var state = State(file: file)
        var lineNumber = 0
        // "\r\n" is a single Character in Swift, so it has to be named as a separator of its own.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let tokens: [RulesToken]
            switch RulesLexer.tokens(in: line) {
            case .success(let words): tokens = words
            case .failure(let error): throw RulesError(file: file, line: lineNumber, message: error.message)
            }
            guard let first = tokens.first else { continue }
            try state.consume(keyword: first, arguments: Array(tokens.dropFirst()), line: lineNumber)
        }
        return state.finish()
    }

    /// The rules read so far and the block being filled in.
    private struct State {
        let file: String
        var rules: [OriginRule] = []
        var current: OriginRule?
        /// Directive name → the line it was first given on, within the current block.
        var seen: [String: Int] = [:]
        var defaultLine: Int?

        init(file: String) { self.file = file }

        mutating func consume(keyword: RulesToken, arguments: [RulesToken], line: Int) throws {
            let word = keyword.quoted ? "\"" + keyword.text + "\"" : keyword.text
            switch keyword.quoted ? "" : keyword.text {
            case "match":
                try openMatch(arguments, line: line)
            case "default":
                try openDefault(arguments, line: line)
            case let name where RulesParser.directives.contains(name):
                guard current != nil else {
                    throw error(line, "expected \"match\" or \"default\" before the first directive, got \"\(name)\"")
                }
                try apply(directive: name, arguments, line: line)
            default:
                throw error(line, "expected \"match\", \"default\" or a directive ("
                    + RulesParser.directives.joined(separator: ", ") + "), got \"\(word)\"")
            }
        }

        mutating func finish() -> OriginRules {
            closeBlock()
            if defaultLine == nil { rules.append(OriginRule()) }
            return OriginRules(rules: rules)
        }

        private mutating func openMatch(_ arguments: [RulesToken], line: Int) throws {
            if let defaultLine {
                throw error(line, "expected nothing after \"default\" (line \(defaultLine)): "
                    + "a \"match\" below it can never be reached; put \"default\" last")
            }
            let expected = "a path pattern after \"match\" (/exact, /prefix/*, *.suffix or *)"
            guard !arguments.isEmpty else { throw error(line, "expected \(expected), got nothing") }
            var patterns: [PathPattern] = []
            for argument in arguments {
                guard let pattern = PathPattern(parsing: argument.text) else {
                    throw error(line, "expected \(expected), got \"\(argument.text)\"")
                }
                patterns.append(pattern)
            }
            closeBlock()
            current = OriginRule(patterns: patterns, line: line)
        }

        private mutating func openDefault(_ arguments: [RulesToken], line: Int) throws {
            if let defaultLine {
                throw error(line, "expected one \"default\", got a second one (the first is on line \(defaultLine))")
            }
            if let extra = arguments.first {
                throw error(line, "expected nothing after \"default\", got \"\(extra.text)\"")
            }
            closeBlock()
            defaultLine = line
            current = OriginRule(patterns: [], line: line)
        }

        private mutating func closeBlock() {
            if let current { rules.append(current) }
            current = nil
            seen = [:]
        }

        private mutating func apply(directive name: String, _ arguments: [RulesToken], line: Int) throws {
            if name != "header" {
                if let first = seen[name] {
                    throw error(line, "expected \"\(name)\" once per rule, got it again (first on line \(first))")
                }
                seen[name] = line
            }
            guard var rule = current else { return }
            switch name {
            case "cache-control":
                let value = try single(arguments, after: name, expecting: "a value (quoted if it has spaces)", line)
                guard !value.isEmpty, RuleValues.isFieldValue(value) else {
                    throw error(line, "expected a non-empty value without control characters after \"cache-control\"")
                }
                rule.cacheControl = value
            case "header":
                rule.headers.append(try header(arguments, line))
            case "etag":
                let value = try single(arguments, after: name, expecting: "strong, weak or none", line)
                guard let mode = ETagMode(rawValue: value) else {
                    throw error(line, "expected strong, weak or none after \"etag\", got \"\(value)\"")
                }
                rule.etag = mode
            case "last-modified":
                let value = try single(arguments, after: name, expecting: "on or off", line)
                switch value {
                case "on": rule.lastModified = true
                case "off": rule.lastModified = false
                default: throw error(line, "expected on or off after \"last-modified\", got \"\(value)\"")
                }
            case "delay":
                let value = try single(arguments, after: name, expecting: "a duration", line)
                guard let delay = RuleValues.duration(value) else {
                    throw error(line, "expected a duration after \"delay\" (like 200ms or 2s), got \"\(value)\"")
                }
                guard delay <= RuleValues.maximumDelay else {
                    throw error(line, "expected a duration of at most 60s after \"delay\", got \"\(value)\"")
                }
                rule.delay = delay
            case "rate":
                let value = try single(arguments, after: name, expecting: "a rate", line)
                guard let rate = RuleValues.bytesPerSecond(value) else {
                    throw error(line, "expected a rate after \"rate\" (like 64KiB/s or 1MiB/s), got \"\(value)\"")
                }
                guard rate > 0 else {
                    throw error(line, "expected a rate above zero after \"rate\", got \"\(value)\"")
                }
                rule.bytesPerSecond = rate
            default:
                break
            }
            current = rule
        }

        private func header(_ arguments: [RulesToken], _ line: Int) throws -> HeaderField {
            guard let nameToken = arguments.first else {
                throw error(line, "expected a header name after \"header\", got nothing")
            }
            let name = nameToken.text
            guard RuleValues.isToken(name) else {
                throw error(line, "expected a header name after \"header\", got \"\(name)\"")
            }
            let lowered = name.lowercased()
            if let directive = RulesParser.headersWithDirectives[lowered] {
                throw error(line, "expected the \"\(directive)\" directive to set \(name), not \"header\"")
            }
            if RulesParser.managedHeaders.contains(lowered) {
                throw error(line, "expected a header the server does not manage, got \"\(name)\"")
            }
            guard arguments.count >= 2 else {
                throw error(line, "expected a value after header \"\(name)\", got nothing")
            }
            if arguments.count > 2 {
                throw error(line, "expected one value after header \"\(name)\" (quote values with spaces), "
                    + "got \"\(arguments[2].text)\" as well")
            }
            let value = arguments[1].text
            guard RuleValues.isFieldValue(value) else {
                throw error(line, "expected a value without control characters for header \"\(name)\"")
            }
            return HeaderField(name: name, value: value)
        }

        /// The one argument a directive takes, with errors for none and for extra words.
        private func single(_ arguments: [RulesToken], after name: String, expecting what: String,
                            _ line: Int) throws -> String {
            guard let first = arguments.first else {
                throw error(line, "expected \(what) after \"\(name)\", got nothing")
            }
            if arguments.count > 1 {
                throw error(line, "expected one value after \"\(name)\" (quote values with spaces), "
                    + "got \"\(arguments[1].text)\" as well")
            }
            return first.text
        }

        private func error(_ line: Int, _ message: String) -> RulesError {
            RulesError(file: file, line: line, message: message)
        }
    }
}
