/// Sizes as operators write them: `"256MiB"`, `"64 MB"`, `"1GiB"`, `"1.5 GiB"`, or a bare number of bytes.
///
/// Binary (KiB, MiB, …) and decimal (kB, MB, …) units are both accepted and kept distinct, because "64 MB" and
/// "64 MiB" differ by 5 % and a cache budget should mean what it says. Units are case-insensitive.
public enum ByteSize {
    /// The largest size any setting accepts (1 PiB): keeps all arithmetic on sizes far from overflow.
    public static let maximum = 1 << 50

    private static let units: [String: Int] = [
        "": 1, "b": 1,
        "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000, "tb": 1_000_000_000_000,
        "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
    ]

    /// Parses a size in bytes; `nil` for anything malformed, negative or above `maximum`.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingSpaces()
        let numberEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? trimmed.endIndex
        let number = trimmed[..<numberEnd]
        let unit = trimmed[numberEnd...].trimmingSpaces().lowercased()
        guard let multiplier = units[unit], let value = DecimalText(number) else { return nil }
        return value.scaled(by: multiplier, limit: maximum)
    }

    /// A short human form for summaries: exact binary or decimal units when they fit, else one decimal place.
    public static func format(_ bytes: Int) -> String {
        let binary: [(String, Int)] = [("PiB", 1 << 50), ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        let decimal: [(String, Int)] = [("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000),
                                        ("kB", 1_000)]
        if bytes == 0 { return "0 B" }
        // Of the units that divide exactly, the one giving the smallest number: "64 MB", not "62500 KiB".
        let exact = (binary + decimal).filter { bytes % $0.1 == 0 }.min { bytes / $0.1 < bytes / $1.1 }
        if let (name, size) = exact { return "\(bytes / size) \(name)" }
        for (name, size) in binary where bytes >= size {
            let tenths = (bytes * 10 + size / 2) / size
            return "\(tenths / 10).\(tenths % 10) \(name)"
        }
        return "\(bytes) B"
    }
}
