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

    @Test("invalid dates are rejected, never guessed",
          arguments: ["", "0", "-1", "yesterday", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 32 Nov 1994 08:49:37 GMT",
                      "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT"])
    func rejectsInvalid(_ text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }
}
