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

    /// Formats seconds since the epoch as ISO 8601 in UTC, e.g. `1994-11-06T08:49:37Z` (log timestamps).
    public static func iso8601(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        return "\(year)-\(pad2(month))-\(pad2(day))T"
            + "\(pad2(Int(secondOfDay / 3600))):\(pad2(Int(secondOfDay % 3600 / 60))):\(pad2(Int(secondOfDay % 60)))Z"
    }

    public static func format(_ date: Date) -> String { format(Int64(date.timeIntervalSince1970.rounded(.down))) }

    /// Parses an HTTP-date in exactly one of the three forms of RFC 9110 §5.6.7, as its grammar spells them:
    ///
    ///     IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT
    ///     rfc850-date  Sunday, 06-Nov-94 08:49:37 GMT
    ///     asctime-date Sun Nov  6 08:49:37 1994
    ///
    /// Names are case-sensitive (`%s"Nov"`, `%s"GMT"`), separators are single spaces, every number has the
    /// digits the grammar gives it, and the date must exist (no 31 Nov). Anything else is `nil`: callers treat
    /// such a field as invalid, which for `Expires` means "already expired" (RFC 9111 §5.3) and for `Date` means
    /// absent. Guessing at near-misses would let a malformed `Expires` make a response fresh for years.
    ///
    /// Optional whitespace around the field value is not part of it (RFC 9110 §5.5) and is ignored.
    ///
    /// - Parameter now: seconds since the epoch, for the two-digit year of rfc850-date (a year more than 50 years
    ///   ahead is the same year of the century before); the system clock when omitted.
    public static func parse(_ text: Substring, now: Int64? = nil) -> Int64? {
        var bytes = Array(text.utf8)[...]
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes = bytes.dropFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes = bytes.dropLast() }
        var cursor = DateCursor(bytes: bytes)
        if let seconds = cursor.imfFixdate() { return seconds }
        cursor = DateCursor(bytes: bytes)
        if let seconds = cursor.rfc850Date(now: now) { return seconds }
        cursor = DateCursor(bytes: bytes)
        return cursor.asctimeDate()
    }

    public static func parse(_ text: String, now: Int64? = nil) -> Int64? { parse(Substring(text), now: now) }

    fileprivate static let shortDayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map { Array($0.utf8) }
    fileprivate static let longDayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                                           "Sunday"].map { Array($0.utf8) }
    fileprivate static let monthNames = months.map { Array($0.utf8) }

    /// Seconds since the epoch for a calendar date and time, or `nil` when the date does not exist or the time
    /// is out of range (`second` may be 60, a leap second, as RFC 9110 allows).
    fileprivate static func seconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64? {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// rfc850-date's two-digit year: the most recent year with those digits that is not more than 50 years
    /// after `now` (RFC 9110 §5.6.7).
    fileprivate static func expandTwoDigitYear(_ yy: Int, now: Int64?) -> Int {
        let seconds = now ?? Int64(Date().timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let currentYear = Int(civilFromDays(days).0)
        var year = currentYear - currentYear % 100 + yy
        if year > currentYear + 50 { year -= 100 }
        return year
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

/// Reads one HTTP-date form from the front of its bytes; every method consumes exactly its grammar or fails.
private struct DateCursor {
    var bytes: ArraySlice<UInt8>

    /// `day-name "," SP date1 SP time-of-day SP GMT`, date1 = `day SP month SP year` (2, 3 and 4 characters).
    mutating func imfFixdate() -> Int64? {
        guard name(from: HTTPDate.shortDayNames) != nil, literal(","), literal(" "),
              let day = digits(2), literal(" "), let month = month(), literal(" "), let year = digits(4),
              literal(" "), let time = timeOfDay(), literal(" "), literal("GMT"), bytes.isEmpty else { return nil }
        return HTTPDate.seconds(year: year, month: month, day: day, hour: time.0, minute: time.1, second: time.2)
    }

    /// `day-name-l "," SP date2 SP time-of-day SP GMT`, date2 = `day "-" month "-" 2DIGIT`.
    mutating func rfc850Date(now: Int64?) -> Int64? {
        guard name(from: HTTPDate.longDayNames) != nil, literal(","), literal(" "),
              let day = digits(2), literal("-"), let month = month(), literal("-"), let yy = digits(2),
              literal(" "), let time = timeOfDay(), literal(" "), literal("GMT"), bytes.isEmpty else { return nil }
        return HTTPDate.seconds(year: HTTPDate.expandTwoDigitYear(yy, now: now), month: month, day: day,
                                hour: time.0, minute: time.1, second: time.2)
    }

    /// `day-name SP date3 SP time-of-day SP year`, date3 = `month SP ( 2DIGIT / ( SP DIGIT ) )`.
    mutating func asctimeDate() -> Int64? {
        guard name(from: HTTPDate.shortDayNames) != nil, literal(" "), let month = month(), literal(" ") else {
            return nil
        }
        let day: Int
        if literal(" ") {
            guard let single = digits(1) else { return nil }
            day = single
        } else {
            guard let double = digits(2) else { return nil }
            day = double
        }
        guard literal(" "), let time = timeOfDay(), literal(" "), let year = digits(4), bytes.isEmpty else {
            return nil
        }
        return HTTPDate.seconds(year: year, month: month, day: day, hour: time.0, minute: time.1, second: time.2)
    }

    /// `hour ":" minute ":" second`, two digits each.
    private mutating func timeOfDay() -> (Int, Int, Int)? {
        guard let hour = digits(2), literal(":"), let minute = digits(2), literal(":"), let second = digits(2) else {
            return nil
        }
        return (hour, minute, second)
    }

    /// The month's number, 1...12.
    private mutating func month() -> Int? { name(from: HTTPDate.monthNames).map { $0 + 1 } }

    /// Which of `names` the bytes start with, byte for byte (so case-sensitively); consumes it.
    private mutating func name(from names: [[UInt8]]) -> Int? {
        for (index, name) in names.enumerated() where bytes.starts(with: name) {
            bytes = bytes.dropFirst(name.count)
            return index
        }
        return nil
    }

    private mutating func literal(_ text: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        guard bytes.starts(with: expected) else { return false }
        bytes = bytes.dropFirst(expected.count)
        return true
    }

    /// Exactly `count` ASCII digits.
    private mutating func digits(_ count: Int) -> Int? {
        guard bytes.count >= count else { return nil }
        var value = 0
        for byte in bytes.prefix(count) {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        bytes = bytes.dropFirst(count)
        return value
    }
}
