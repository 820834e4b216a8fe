import EdgeCore
import Testing

@Suite("Access log format grammar")
struct AccessLogFormatTests {
    @Test func namedFormats() throws {
        #expect(try AccessLogFormat.parse("combined") == .combined)
        #expect(try AccessLogFormat.parse("json") == .json)
    }

    @Test("variables end at the first character that cannot be in a name; $$ is a dollar")
    func template() throws {
        #expect(try AccessLogFormat.parse("[$status] $$5 \"$request\"") == .template([
            .literal("["), .variable(.status), .literal("] $5 \""), .variable(.request), .literal("\""),
        ]))
    }

    @Test("unknown variables and templates without any are refused")
    func refused() {
        #expect(throws: AccessLogFormat.ParseError.self) { try AccessLogFormat.parse("$status $bogus") }
        #expect(throws: AccessLogFormat.ParseError.self) { try AccessLogFormat.parse("combind") }
        #expect(throws: AccessLogFormat.ParseError.self) { try AccessLogFormat.parse("$") }
    }

    @Test func iso8601() {
        #expect(HTTPDate.iso8601(784_111_777) == "1994-11-06T08:49:37Z")
    }
}
