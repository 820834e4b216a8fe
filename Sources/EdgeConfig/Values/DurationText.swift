/// Durations as operators write them: `"250ms"`, `"2s"`, `"5m"`, `"1h"`, `"1d"`, `"1.5s"`; a TOML integer is a
/// number of seconds.
///
/// Values are Swift `Duration`s with millisecond precision; no setting needs finer, and capping at `maximum`
/// keeps conversions to nanoseconds (NIO's `TimeAmount`) free of overflow.
public enum DurationText {
    /// The longest duration any setting accepts.
    public static let maximum: Duration = .seconds(365 * 86_400)

    private static let unitMilliseconds: [String: Int] = [
        "ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000,
    ]

    /// Parses `"<number><unit>"`; `nil` for malformed text, a missing unit, or more than `maximum`.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingSpaces()
        let numberEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? trimmed.endIndex
        let unit = trimmed[numberEnd...].trimmingSpaces().lowercased()
        guard let multiplier = unitMilliseconds[unit], let value = DecimalText(trimmed[..<numberEnd]),
              let milliseconds = value.scaled(by: multiplier, limit: maximumMilliseconds) else { return nil }
        return .milliseconds(milliseconds)
    }

    /// A bare number of seconds (the TOML integer form); `nil` when negative or above `maximum`.
    public static func seconds(_ value: Int) -> Duration? {
        guard value >= 0, value <= maximumMilliseconds / 1_000 else { return nil }
        return .seconds(value)
    }

    /// The shortest exact form: `"250ms"`, `"2s"`, `"90s"`, `"5m"`, `"1d"`.
    public static func format(_ duration: Duration) -> String {
        let milliseconds = duration.inNanoseconds / 1_000_000
        if milliseconds == 0 { return "0s" }
        for (unit, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)]
        where milliseconds % Int64(size) == 0 {
            return "\(milliseconds / Int64(size))\(unit)"
        }
        return "\(milliseconds)ms"
    }

    private static var maximumMilliseconds: Int { Int(maximum.inNanoseconds / 1_000_000) }
}

extension Duration {
    /// Seconds as a `Double`, the unit the pure cache policy works in.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole nanoseconds (saturating), for NIO's `TimeAmount.nanoseconds(_:)`.
    public var inNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? Int64.min : Int64.max }
        let (total, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? Int64.min : Int64.max }
        return total
    }
}
