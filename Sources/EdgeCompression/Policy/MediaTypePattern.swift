import EdgeCore

/// A media-type pattern from the compression settings: `text/html`, `text/*`, `application/*+json` or `*/*`.
///
/// Matching ignores parameters (`; charset=utf-8`) and case, since `Text/HTML;charset=UTF-8` is the same
/// type (RFC 9110 §8.3.1) and origins spell it every way.
public struct MediaTypePattern: Sendable, Hashable, CustomStringConvertible {
    /// Lowercased top-level type, or `*`.
    public let type: String
    /// Lowercased subtype, `*`, or `*+suffix` (a structured-syntax suffix such as `+json`).
    public let subtype: String

    /// `nil` when `text` is not `type/subtype` made of tokens (after trimming and dropping parameters).
    public init?(_ text: String) {
        guard let (type, subtype) = Self.split(Substring(text)) else { return nil }
        if type == "*" && subtype != "*" { return nil }
        if subtype.hasPrefix("*") && subtype != "*" {
            guard subtype.hasPrefix("*+"), subtype.count > 2 else { return nil }
        }
        self.type = type
        self.subtype = subtype
    }

    /// Whether a `Content-Type` value falls under this pattern.
    public func matches(contentType: String) -> Bool {
        guard let (type, subtype) = Self.split(Substring(contentType)) else { return false }
        return matches(type: type, subtype: subtype)
    }

    func matches(type candidateType: String, subtype candidateSubtype: String) -> Bool {
        if type == "*" { return true }
        guard type == candidateType else { return false }
        if subtype == "*" { return true }
        if subtype.hasPrefix("*+") { return candidateSubtype.hasSuffix(subtype.dropFirst()) }
        return subtype == candidateSubtype
    }

    public var description: String { type + "/" + subtype }

    /// Splits `type/subtype; params` into lowercased type and subtype; `nil` unless both are tokens
    /// (`*` allowed, so patterns go through the same code).
    static func split(_ value: Substring) -> (String, String)? {
        let essence = (value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .trimmingSpaces()
        let halves = essence.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2 else { return nil }
        let type = halves[0].trimmingSpaces()
        let subtype = halves[1].trimmingSpaces()
        guard AcceptEncoding.isToken(type), AcceptEncoding.isToken(subtype) else { return nil }
        return (type.lowercased(), subtype.lowercased())
    }
}
