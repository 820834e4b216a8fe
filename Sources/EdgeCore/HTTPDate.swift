import Foundation

/// HTTP-date (RFC 9110 §5.6.7): IMF-fixdate is generated; IMF-fixdate, RFC 850 and asctime are accepted.
///
/// Parsing is hand-written rather than going through `DateFormatter`, which is slow, not thread-safe on
/// every platform, and locale-sensitive. Times are whole seconds since the Unix epoch.
public enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday

    /// Formats seconds since the epoch as an IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func format(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        return "\(weekday), \(pad2(day)) \(months[month - 1]) \(year) "
            + "\(pad2(Int(secondOfDay / 3600))):\(pad2(Int(secondOfDay % 3600 / 60))):\(pad2(Int(secondOfDay % 60))) GMT"
    }

    public static func format(_ date: Date) -> String { format(Int64(date.timeIntervalSince1970.rounded(.down))) }

    /// Parses any of the three HTTP-date forms; `nil` for anything else (callers then treat the field as invalid,
    /// which for `Expires` means "already expired", RFC 9111 §5.3).
    public static func parse(_ text: Substring) -> Int64? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT  -> [Sun, 06, Nov, 1994, 08:49:37, GMT]
        if parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let month = monthIndex(parts[2]),
           let year = Int(parts[3]), parts[3].count == 4 {
            return build(year: year, month: month, day: day, time: parts[4])
        }
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT -> [Sunday, 06-Nov-94, 08:49:37, GMT]
        if parts.count == 4, parts[3] == "GMT" {
            let dmy = parts[1].split(separator: "-").map(String.init)
            if dmy.count == 3, let day = Int(dmy[0]), let month = monthIndex(dmy[1]), let yy = Int(dmy[2]) {
                // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
                let year = dmy[2].count == 2 ? (yy < 70 ? 2000 + yy : 1900 + yy) : yy
                return build(year: year, month: month, day: day, time: parts[2])
            }
        }
        // asctime: Sun Nov  6 08:49:37 1994 -> [Sun, Nov, 6, 08:49:37, 1994]
        if parts.count == 5, let month = monthIndex(parts[1]), let day = Int(parts[2]), let year = Int(parts[4]) {
            return build(year: year, month: month, day: day, time: parts[3])
        }
        return nil
    }

    public static func parse(_ text: String) -> Int64? { parse(Substring(text)) }

    private static func monthIndex(_ name: String) -> Int? {
        months.firstIndex(of: name).map { $0 + 1 }
    }

    private static func build(year: Int, month: Int, day: Int, time: String) -> Int64? {
        let hms = time.split(separator: ":")
        guard hms.count == 3, let h = Int(hms[0]), let m = Int(hms[1]), let s = Int(hms[2]),
              (0...23).contains(h), (0...59).contains(m), (0...60).contains(s),
              (1...31).contains(day), (1...9999).contains(year) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return days * 86_400 + Int64(h * 3600 + m * 60 + s)
    }

    // Howard Hinnant's days-from-civil algorithm: exact for the proleptic Gregorian calendar.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civilFromDays(_ days: Int64) -> (Int64, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
