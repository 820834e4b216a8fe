/// A single satisfiable byte range of a representation (RFC 9110 §14.1.2), inclusive bounds.
public struct ByteRange: Equatable, Sendable {
    public var first: Int
    public var last: Int

    public init(first: Int, last: Int) {
        self.first = first
        self.last = last
    }

    public var count: Int { last - first + 1 }

    /// `bytes first-last/total`, for Content-Range.
    public func contentRange(total: Int) -> String { "bytes \(first)-\(last)/\(total)" }
}

/// What a `Range` header asks of a representation of a known length.
public enum RangeRequest: Equatable, Sendable {
    /// No Range header, a unit other than bytes, or a syntactically invalid header: serve the whole thing (§14.2).
    case whole
    /// One satisfiable range: 206 with Content-Range.
    case single(ByteRange)
    /// Several ranges: this server answers them with the whole representation, which §14.2 permits.
    case multiple
    /// Well-formed but no range overlaps the representation: 416 with `Content-Range: bytes */length`.
    case unsatisfiable

    /// Evaluates a `Range` field value against a representation of `length` bytes.
    public init(header: Substring?, length: Int) {
        guard let header else { self = .whole; return }
        let value = header.trimmingSpaces()
        guard value.hasPrefix("bytes=") else { self = .whole; return }
        let specs = value.dropFirst(6).split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        guard !specs.isEmpty else { self = .whole; return }
        var satisfiable: [ByteRange] = []
        for spec in specs {
            guard let dash = spec.firstIndex(of: "-") else { self = .whole; return }
            let startText = spec[..<dash]
            let endText = spec[spec.index(after: dash)...]
            if startText.isEmpty {
                // Suffix range: the last N bytes.
                guard let suffix = Int(endText), suffix >= 0, endText.allSatisfy(\.isASCIIDigit) else { self = .whole; return }
                if suffix > 0 && length > 0 {
                    satisfiable.append(ByteRange(first: max(0, length - suffix), last: length - 1))
                }
            } else {
                guard let start = Int(startText), startText.allSatisfy(\.isASCIIDigit) else { self = .whole; return }
                var end = length - 1
                if !endText.isEmpty {
                    guard let parsed = Int(endText), endText.allSatisfy(\.isASCIIDigit), parsed >= start else {
                        self = .whole; return
                    }
                    end = min(parsed, length - 1)
                }
                if start < length { satisfiable.append(ByteRange(first: start, last: end)) }
            }
        }
        switch satisfiable.count {
        case 0: self = .unsatisfiable
        case 1: self = .single(satisfiable[0])
        default: self = .multiple
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
