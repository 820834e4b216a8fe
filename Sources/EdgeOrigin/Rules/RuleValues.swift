/// Parsers for the typed values of rule directives. Each returns `nil` rather than guessing, so the parser can
/// report exactly which word it could not read.
enum RuleValues {
    /// The longest `delay` accepted: a test hook that stalls a connection for minutes is a typo, not a test.
    static let maximumDelay = Duration.seconds(60)

    /// `200ms`, `2s`, `1.5s`.
    static func duration(_ text: String) -> Duration? {
        let (number, unit) = splitNumber(text)
        guard let value = decimal(number) else { return nil }
        let microseconds: Double
        switch unit {
        case "ms": microseconds = value * 1_000
        case "s": microseconds = value * 1_000_000
        default: return nil
        }
        // Absurd values stay representable (and are then refused as too long) instead of trapping in Int64().
        return .microseconds(Int64(min(microseconds, 1e15).rounded()))
    }

    /// `64KiB/s`, `1MiB/s`, `500B/s`, `2MB/s`: bytes per second.
    static func bytesPerSecond(_ text: String) -> Int? {
        guard text.hasSuffix("/s") else { return nil }
        let (number, unit) = splitNumber(String(text.dropLast(2)))
        guard let value = decimal(number) else { return nil }
        let multipliers: [String: Double] = [
            "B": 1, "KB": 1_000, "KiB": 1_024, "MB": 1_000_000, "MiB": 1_048_576, "GB": 1_000_000_000,
            "GiB": 1_073_741_824,
        ]
        guard let multiplier = multipliers[unit] else { return nil }
        let bytes = value * multiplier
        guard bytes < Double(Int.max / 2) else { return nil }
        return Int(bytes.rounded())
    }

    /// RFC 9110 §5.6.2 `token`: what a field name may be.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9": return true
            default: return "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar)
            }
        }
    }

    /// Whether `text` may be sent as a field value: no control characters other than tab, which would let a
    /// rule split or corrupt the response header block.
    static func isFieldValue(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) }
    }

    private static func splitNumber(_ text: String) -> (Substring, String) {
        let number = text.prefix { ("0"..."9").contains($0) || $0 == "." }
        return (number, String(text.dropFirst(number.count)))
    }

    private static func decimal(_ text: Substring) -> Double? {
        guard !text.isEmpty, text.first != ".", text.last != ".", text.filter({ $0 == "." }).count <= 1 else {
            return nil
        }
        return Double(text)
    }
}
