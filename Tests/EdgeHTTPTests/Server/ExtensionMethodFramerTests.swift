@testable import EdgeHTTP
import Testing

/// RFC 9110 §9.1 (method = token) ahead of a parser that knows a fixed list: the framer's rewriting, request by
/// request, however the bytes are split into reads.
@Suite("Extension methods ahead of NIO's parser")
struct ExtensionMethodFramerTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let input: String
        /// What the parser should read.
        let parsed: String
        /// Each followed request's replaced method (`nil`: parsed as sent).
        let methods: [String?]
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "known methods pass unchanged", input: "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
            parsed: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", methods: [nil]),
        Row(name: "llhttp's own extension methods pass unchanged",
            input: "PROPFIND /d HTTP/1.1\r\nHost: a\r\n\r\nPURGE /e HTTP/1.1\r\nHost: a\r\n\r\n",
            parsed: "PROPFIND /d HTTP/1.1\r\nHost: a\r\n\r\nPURGE /e HTTP/1.1\r\nHost: a\r\n\r\n", methods: [nil, nil]),
        // NIO would read M-SEARCH as .MSEARCH and write it upstream as "MSEARCH".
        Row(name: "M-SEARCH is restored as sent", input: "M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n",
            parsed: "SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n", methods: ["M-SEARCH"]),
        Row(name: "an unknown token is replaced and reported", input: "PURGEX /a HTTP/1.1\r\nHost: a\r\n\r\n",
            parsed: "SEARCH /a HTTP/1.1\r\nHost: a\r\n\r\n", methods: ["PURGEX"]),
        Row(name: "methods are case-sensitive: lowercase get is an extension method",
            input: "get /a HTTP/1.1\r\nHost: a\r\n\r\n", parsed: "SEARCH /a HTTP/1.1\r\nHost: a\r\n\r\n", methods: ["get"]),
        Row(name: "every tchar is allowed", input: "X!#$%&'*+-.^_`|~9 /a HTTP/1.1\r\n\r\n",
            parsed: "SEARCH /a HTTP/1.1\r\n\r\n", methods: ["X!#$%&'*+-.^_`|~9"]),
        Row(name: "pipelined requests with a Content-Length body are followed",
            input: "FOO /a HTTP/1.1\r\nContent-Length: 9\r\n\r\nBAR /b xyGET /c HTTP/1.1\r\n\r\nBAZ /d HTTP/1.1\r\n\r\n",
            parsed: "SEARCH /a HTTP/1.1\r\nContent-Length: 9\r\n\r\nBAR /b xyGET /c HTTP/1.1\r\n\r\nSEARCH /d HTTP/1.1\r\n\r\n",
            methods: ["FOO", nil, "BAZ"]),
        Row(name: "a body that looks like a request is left alone",
            input: "POST /a HTTP/1.1\r\ncontent-LENGTH:  20 \r\n\r\nWEIRD /x HTTP/1.1\r\n\r\n",
            parsed: "POST /a HTTP/1.1\r\ncontent-LENGTH:  20 \r\n\r\nWEIRD /x HTTP/1.1\r\n\r\n", methods: [nil]),
        Row(name: "CRLF between requests passes through", input: "\r\nFOO / HTTP/1.1\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n",
            parsed: "\r\nSEARCH / HTTP/1.1\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", methods: ["FOO", nil]),
        Row(name: "bare LF line ends are followed", input: "FOO / HTTP/1.1\nHost: a\n\nBAR / HTTP/1.1\n\n",
            parsed: "SEARCH / HTTP/1.1\nHost: a\n\nSEARCH / HTTP/1.1\n\n", methods: ["FOO", "BAR"]),
        Row(name: "chunked framing is not followed: later requests go to the parser as sent",
            input: "FOO / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nBAR / HTTP/1.1\r\n\r\n",
            parsed: "SEARCH / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nBAR / HTTP/1.1\r\n\r\n", methods: ["FOO"]),
        Row(name: "two Content-Lengths stop the framer",
            input: "FOO / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nxBAR / HTTP/1.1\r\n\r\n",
            parsed: "SEARCH / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nxBAR / HTTP/1.1\r\n\r\n",
            methods: ["FOO"]),
        Row(name: "a malformed Content-Length stops the framer",
            input: "FOO / HTTP/1.1\r\nContent-Length: 1x\r\n\r\nBAR / HTTP/1.1\r\n\r\n",
            parsed: "SEARCH / HTTP/1.1\r\nContent-Length: 1x\r\n\r\nBAR / HTTP/1.1\r\n\r\n", methods: ["FOO"]),
        Row(name: "Upgrade stops the framer", input: "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\nFOO / HTTP/1.1\r\n\r\n",
            parsed: "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\nFOO / HTTP/1.1\r\n\r\n", methods: [nil]),
        Row(name: "CONNECT stops the framer", input: "CONNECT a:443 HTTP/1.1\r\n\r\nFOO / HTTP/1.1\r\n\r\n",
            parsed: "CONNECT a:443 HTTP/1.1\r\n\r\nFOO / HTTP/1.1\r\n\r\n", methods: [nil]),
        Row(name: "a non-token method is left for the parser to refuse", input: "F(O / HTTP/1.1\r\n\r\nBAR / HTTP/1.1\r\n\r\n",
            parsed: "F(O / HTTP/1.1\r\n\r\nBAR / HTTP/1.1\r\n\r\n", methods: []),
        Row(name: "an over-long method is left for the parser to refuse",
            input: String(repeating: "A", count: 80) + " / HTTP/1.1\r\n\r\n",
            parsed: String(repeating: "A", count: 80) + " / HTTP/1.1\r\n\r\n", methods: []),
        Row(name: "a leading space is left for the parser", input: " FOO / HTTP/1.1\r\n\r\n",
            parsed: " FOO / HTTP/1.1\r\n\r\n", methods: []),
        Row(name: "an obs-folded line stops the framer",
            input: "FOO / HTTP/1.1\r\nX: a\r\n b\r\n\r\nBAR / HTTP/1.1\r\n\r\n",
            parsed: "SEARCH / HTTP/1.1\r\nX: a\r\n b\r\n\r\nBAR / HTTP/1.1\r\n\r\n", methods: ["FOO"]),
        Row(name: "a long header line is skipped unless it frames",
            input: "FOO / HTTP/1.1\r\nX-Long: " + String(repeating: "v", count: 400) + "\r\n\r\nBAR / HTTP/1.1\r\n\r\n",
            parsed: "SEARCH / HTTP/1.1\r\nX-Long: " + String(repeating: "v", count: 400) + "\r\n\r\nSEARCH / HTTP/1.1\r\n\r\n",
            methods: ["FOO", "BAR"]),
    ]

    @Test(arguments: rows)
    func inOneRead(_ row: Row) {
        var framer = ExtensionMethodFramer()
        let input = Array(row.input.utf8)
        let output = framer.feed(input)
        #expect(String(decoding: output.bytes ?? input, as: UTF8.self) == row.parsed)
        #expect(output.requests == row.methods)
    }

    /// The same result when the input arrives split at every possible point, and one byte at a time.
    @Test(arguments: rows)
    func inAnySplit(_ row: Row) {
        let input = Array(row.input.utf8)
        for split in 0...input.count {
            var framer = ExtensionMethodFramer()
            let (parsed, methods) = Self.run(&framer, reads: [Array(input[..<split]), Array(input[split...])])
            #expect(parsed == row.parsed, "split at \(split)")
            #expect(methods == row.methods, "split at \(split)")
        }
        var framer = ExtensionMethodFramer()
        let (parsed, methods) = Self.run(&framer, reads: input.map { [$0] })
        #expect(parsed == row.parsed)
        #expect(methods == row.methods)
    }

    @Test func unchangedReadsAreNotCopied() {
        var framer = ExtensionMethodFramer()
        let first = framer.feed(Array("GET / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab".utf8))
        #expect(first == .init(bytes: nil, requests: [nil]))
        let wholeBody = framer.consumeBody(2)
        #expect(wholeBody)
        let pastTheBody = framer.consumeBody(1)
        #expect(!pastTheBody)
        let next = framer.feed(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(next == .init(bytes: nil, requests: [nil]))
    }

    private static func run(_ framer: inout ExtensionMethodFramer, reads: [[UInt8]]) -> (String, [String?]) {
        var parsed: [UInt8] = []
        var methods: [String?] = []
        for read in reads {
            let output = framer.feed(read)
            parsed += output.bytes ?? read
            methods += output.requests
        }
        return (String(decoding: parsed, as: UTF8.self), methods)
    }
}
