import EdgeCore
import Testing

@Suite("HTTP-date")
struct HTTPDateTests {
    // RFC 9110 §5.6.7's example, in its three forms.
    static let example: Int64 = 784_111_777

    @Test("the three forms of the RFC example parse to the same instant",
          arguments: ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"])
    func parsesAllForms(_ text: String) {
        #expect(HTTPDate.parse(text) == Self.example)
    }

    @Test func formatsIMFFixdate() {
        #expect(HTTPDate.format(Self.example) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
    }

    @Test func roundTripsAcrossCenturies() {
        for seconds in stride(from: Int64(-2_000_000_000), through: 4_000_000_000, by: 86_399 * 37) {
            #expect(HTTPDate.parse(HTTPDate.format(seconds)) == seconds)
        }
    }

    // RFC 9110 §5.6.7's grammar, form by form: each of these breaks exactly one rule of it.
    @Test("anything outside the three forms' grammar is invalid, never guessed",
          arguments: [
              // Not dates at all; "0" is the value RFC 9111 §5.3 names.
              "", "0", "-1", "yesterday", "1994-11-06T08:49:37Z",
              // IMF-fixdate
              "Sun 06 Nov 1994 08:49:37 GMT",        // missing comma
              "Sun,  06 Nov 1994 08:49:37 GMT",      // doubled space
              "Sun, 06  Nov 1994 08:49:37 GMT",      // doubled space
              "Sun, 06 Nov 1994  08:49:37 GMT",      // doubled space
              "Sun,06 Nov 1994 08:49:37 GMT",        // no space after the comma
              "Sun, 06-Nov-1994 08:49:37 GMT",       // dashes in the date
              "Sun, 6 Nov 1994 08:49:37 GMT",        // one-digit day
              "Sun, 06 Nov 1994 8:49:37 GMT",        // one-digit hour
              "Sun, 06 Nov 1994 08:9:37 GMT",        // one-digit minute
              "Sun, 06 Nov 1994 08:49:7 GMT",        // one-digit second
              "Sun, 06 Nov 94 08:49:37 GMT",         // two-digit year
              "Sun, 06 Nov 01994 08:49:37 GMT",      // five-digit year
              "Sun, 06 nov 1994 08:49:37 GMT",       // lowercase month
              "Sun, 06 NOV 1994 08:49:37 GMT",       // uppercase month
              "sun, 06 Nov 1994 08:49:37 GMT",       // lowercase day name
              "Sun, 06 Nov 1994 08:49:37 gmt",       // lowercase zone
              "Sun, 06 Nov 1994 08:49:37 UTC",       // a zone other than GMT
              "Sun, 06 Nov 1994 08:49:37 +0000",     // a numeric zone
              "Sun, 06 Nov 1994 08:49:37",           // no zone
              "Sunday, 06 Nov 1994 08:49:37 GMT",    // long day name in IMF-fixdate
              "Sun, 06 Nov 1994 08:49:37 GMT junk",  // trailing text
              "Sun,\t06 Nov 1994 08:49:37 GMT",      // a tab for a space
              "Sun, 32 Nov 1994 08:49:37 GMT",       // day out of range
              "Sun, 31 Nov 1994 08:49:37 GMT",       // a day November does not have
              "Tue, 29 Feb 2100 08:49:37 GMT",       // not a leap year
              "Sun, 06 Foo 1994 08:49:37 GMT",       // unknown month
              "Sun, 06 Nov 1994 24:00:00 GMT",       // hour out of range
              "Sun, 06 Nov 1994 08:60:00 GMT",       // minute out of range
              "Sun, 06 Nov 1994 08:49:61 GMT",       // second out of range
              "Sun, 06 Nov 1994 25:49:37 GMT",
              // rfc850-date
              "Sunday 06-Nov-94 08:49:37 GMT",       // missing comma
              "Sunday,  06-Nov-94 08:49:37 GMT",     // doubled space
              "Sunday, 06-Nov-1994 08:49:37 GMT",    // four-digit year
              "Sunday, 06 Nov 94 08:49:37 GMT",      // spaces for dashes
              "Sun, 06-Nov-94 08:49:37 GMT",         // short day name
              "sunday, 06-Nov-94 08:49:37 GMT",      // lowercase day name
              "Sunday, 06-nov-94 08:49:37 GMT",      // lowercase month
              "Sunday, 06-Nov-94 08:49:37 gmt",      // lowercase zone
              "Sunday, 6-Nov-94 08:49:37 GMT",       // one-digit day
              "Sunday, 06-Nov-94 8:49:37 GMT",       // one-digit hour
              // asctime-date
              "Sun Nov 6 08:49:37 1994",             // one-digit day without its padding space
              "Sun Nov   6 08:49:37 1994",           // two padding spaces
              "Sun Nov 06  08:49:37 1994",           // doubled space
              "Sun, Nov  6 08:49:37 1994",           // a comma
              "Sun nov  6 08:49:37 1994",            // lowercase month
              "Sun Nov  6 8:49:37 1994",             // one-digit hour
              "Sun Nov  6 08:49:37 94",              // two-digit year
              "Sun Nov  6 08:49:37 1994 GMT",        // a zone
          ])
    func rejectsInvalid(_ text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }

    @Test("valid forms beyond the RFC's example",
          arguments: [
              ("Sun, 06 Nov 1994 08:49:37 GMT", Self.example),
              ("Sun Nov 06 08:49:37 1994", Self.example),              // asctime's day may also be two digits
              ("  Sun, 06 Nov 1994 08:49:37 GMT\t", Self.example),    // OWS around a field value is not part of it
              ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
              ("Sat, 31 Dec 2016 23:59:60 GMT", 1_483_228_800),        // a leap second (second = 60)
              ("Tue, 29 Feb 2000 00:00:00 GMT", 951_782_400),
              ("Mon, 06 Nov 1994 08:49:37 GMT", Self.example),        // the day name is not checked against the date
          ] as [(String, Int64)])
    func parsesValidForms(_ text: String, _ expected: Int64) {
        #expect(HTTPDate.parse(text) == expected)
    }

    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is the most recent past year with
    // those digits.
    @Test func rfc850TwoDigitYearsAreAtMostFiftyYearsAhead() throws {
        let now = try #require(HTTPDate.parse("Fri, 04 Dec 2026 10:00:00 GMT"))
        #expect(HTTPDate.parse("Friday, 04-Dec-26 10:00:00 GMT", now: now) == now)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == Self.example)
        #expect(HTTPDate.parse("Thursday, 01-Jan-76 00:00:00 GMT", now: now) == HTTPDate.parse("Thu, 01 Jan 2076 00:00:00 GMT"))
        #expect(HTTPDate.parse("Wednesday, 01-Jan-77 00:00:00 GMT", now: now) == HTTPDate.parse("Sat, 01 Jan 1977 00:00:00 GMT"))
    }
}
