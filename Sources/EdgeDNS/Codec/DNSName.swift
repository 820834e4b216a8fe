/// A domain name as its labels, compared case-insensitively (RFC 4343) but stored with the case it arrived in,
/// so a question echoed back keeps the resolver's 0x20 case randomisation.
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
    /// The labels from left to right, without the empty root label.
    public let labels: [[UInt8]]

    public static let maxLabelLength = 63
    /// Including the length bytes and the root byte.
    public static let maxWireLength = 255

    public static let root = DNSName(uncheckedLabels: [])

    /// Validates the label and total lengths; empty labels are not allowed (the root is `labels: []`).
    public init(labels: [[UInt8]]) throws(DNSCodecError) {
        for label in labels {
            guard !label.isEmpty else {
                throw .invalidName(text: Self.render(labels), reason: "empty label")
            }
            guard label.count <= Self.maxLabelLength else {
                throw .invalidName(text: Self.render(labels), reason: "label longer than 63 bytes")
            }
        }
        guard Self.wireLength(of: labels) <= Self.maxWireLength else {
            throw .invalidName(text: Self.render(labels), reason: "name longer than 255 bytes")
        }
        self.labels = labels
    }

    /// Dotted text such as "www.cdn.test" or "www.cdn.test." ("." is the root). No escapes: config names are
    /// host names, and a backslash or a space in one is a mistake worth reporting.
    public init(_ text: String) throws(DNSCodecError) {
        guard text != "." else {
            self = .root
            return
        }
        var body = Substring(text)
        if body.hasSuffix(".") { body = body.dropLast() }
        guard !body.isEmpty else { throw .invalidName(text: text, reason: "empty name") }
        for scalar in body.unicodeScalars where !scalar.isASCII || scalar.value <= 0x20 || scalar == "\\" {
            throw .invalidName(text: text, reason: "only printable ASCII without spaces or backslashes")
        }
        let labels = body.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) }
        do {
            try self.init(labels: labels)
        } catch {
            guard case .invalidName(_, let reason) = error else { throw error }
            throw .invalidName(text: text, reason: reason)
        }
    }

    /// For the reader, which has already enforced the limits.
    init(uncheckedLabels: [[UInt8]]) {
        labels = uncheckedLabels
    }

    /// Bytes the name takes uncompressed: a length byte per label, the labels, and the root byte.
    public var wireLength: Int { Self.wireLength(of: labels) }

    public var isRoot: Bool { labels.isEmpty }

    /// True when this name is `other` or below it ("www.cdn.test" is in "cdn.test"; every name is in the root).
    public func isInDomain(_ other: DNSName) -> Bool {
        guard labels.count >= other.labels.count else { return false }
        let offset = labels.count - other.labels.count
        for index in other.labels.indices where !Self.equalIgnoringCase(labels[offset + index], other.labels[index]) {
            return false
        }
        return true
    }

    /// The name with its first `count` labels removed ("www.cdn.test".dropping(1) is "cdn.test").
    public func droppingFirst(_ count: Int) -> DNSName {
        DNSName(uncheckedLabels: Array(labels.dropFirst(count)))
    }

    /// The ASCII-lowercased wire form of the labels: the key for compression and lookups.
    var canonicalKey: [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(wireLength)
        for label in labels {
            key.append(UInt8(label.count))
            for byte in label { key.append(Self.lower(byte)) }
        }
        return key
    }

    /// Dotted text with a trailing dot; bytes outside printable ASCII, dots and backslashes inside labels are
    /// escaped as \DDD (RFC 1035 master-file style), so logs never carry raw control bytes.
    public var description: String { Self.render(labels) }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        guard lhs.labels.count == rhs.labels.count else { return false }
        for index in lhs.labels.indices where !equalIgnoringCase(lhs.labels[index], rhs.labels[index]) {
            return false
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(labels.count)
        for label in labels {
            hasher.combine(label.count)
            for byte in label { hasher.combine(Self.lower(byte)) }
        }
    }

    static func wireLength(of labels: [[UInt8]]) -> Int {
        labels.reduce(1) { $0 + $1.count + 1 }
    }

    static func lower(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }

    static func equalIgnoringCase(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        for index in a.indices where lower(a[index]) != lower(b[index]) { return false }
        return true
    }

    private static func render(_ labels: [[UInt8]]) -> String {
        guard !labels.isEmpty else { return "." }
        var text = ""
        for label in labels {
            for byte in label {
                if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "."), byte != UInt8(ascii: "\\") {
                    text.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    let digits = String(byte)
                    text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
            text += "."
        }
        return text
    }
}
