/// An entity tag (RFC 9110 §8.8.3), e.g. `"abc"` or `W/"abc"`.
public struct EntityTag: Hashable, Sendable, CustomStringConvertible {
    public var opaque: String
    public var isWeak: Bool

    public init(opaque: String, isWeak: Bool = false) {
        self.opaque = opaque
        self.isWeak = isWeak
    }

    /// Parses one entity tag; `nil` when the text is not a well-formed tag.
    public init?(parsing text: Substring) {
        var rest = text.trimmingSpaces()
        var weak = false
        if rest.hasPrefix("W/") {
            weak = true
            rest = rest.dropFirst(2)
        }
        guard rest.count >= 2, rest.first == "\"", rest.last == "\"" else { return nil }
        let inner = rest.dropFirst().dropLast()
        guard !inner.contains("\"") else { return nil }
        self.init(opaque: String(inner), isWeak: weak)
    }

    public var description: String { (isWeak ? "W/" : "") + "\"" + opaque + "\"" }

    /// Weak comparison (§8.8.3.2): opaque tags match whatever their weakness. Used by If-None-Match.
    public func weaklyMatches(_ other: EntityTag) -> Bool { opaque == other.opaque }

    /// Strong comparison: both strong and equal. Used by If-Match and If-Range.
    public func stronglyMatches(_ other: EntityTag) -> Bool { !isWeak && !other.isWeak && opaque == other.opaque }

    /// Parses an `If-None-Match` / `If-Match` field value: `*` or a list of tags. Malformed members are skipped.
    public static func parseList(_ value: Substring) -> EntityTagList {
        let trimmed = value.trimmingSpaces()
        if trimmed == "*" { return .any }
        var tags: [EntityTag] = []
        var current = Substring()
        var inQuotes = false
        var start = trimmed.startIndex
        for index in trimmed.indices {
            let character = trimmed[index]
            if character == "\"" { inQuotes.toggle() }
            if character == "," && !inQuotes {
                current = trimmed[start..<index]
                if let tag = EntityTag(parsing: current) { tags.append(tag) }
                start = trimmed.index(after: index)
            }
        }
        if let tag = EntityTag(parsing: trimmed[start...]) { tags.append(tag) }
        return .tags(tags)
    }
}

/// The value of an `If-None-Match` or `If-Match` field.
public enum EntityTagList: Equatable, Sendable {
    case any
    case tags([EntityTag])
}

extension Substring {
    /// Trims optional whitespace (SP / HTAB) from both ends, as field values allow.
    public func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}

extension String {
    public func trimmingSpaces() -> Substring { Substring(self).trimmingSpaces() }
}
