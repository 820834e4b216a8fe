import EdgeCore
import Foundation
import NIOHTTP1
import Testing
@testable import EdgeHTTP

@Suite("Access log lines and request ids")
struct AccessLogFormatRenderTests {
    static let entry = AccessLog.Entry(
        client: "192.0.2.7", method: "GET", target: "/a?\"x\"", version: "HTTP/1.1", status: 200, bytes: 1024,
        referer: nil, userAgent: "curl/8 \"quoted\"\n", cacheStatus: "miss", tier: nil, upstreamSeconds: 0.012,
        totalSeconds: 0.015, time: 784_111_777, host: "www.cdn.test", protocolName: "http/1.1",
        requestID: "abc-1", upstream: "shield-1", upstreamStatus: 200)

    @Test("json lines parse back with every variable, numbers as numbers and absent values null")
    func json() throws {
        let line = AccessLog.render(Self.entry, as: .json)
        #expect(line.hasSuffix("\n") && line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["status"] as? Int == 200)
        #expect(object["host"] as? String == "www.cdn.test")
        #expect(object["request_id"] as? String == "abc-1")
        #expect(object["upstream_addr"] as? String == "shield-1")
        #expect(object["upstream_status"] as? Int == 200)
        #expect(object["http_user_agent"] as? String == "curl/8 \"quoted\"\n")
        #expect(object["http_referer"] is NSNull)
        #expect(object["time_iso8601"] as? String == "1994-11-06T08:49:37Z")
        #expect(object.count == AccessLogFormat.Variable.allCases.count)
    }

    @Test("templates render their variables, client text cannot break the line")
    func template() throws {
        let format = try AccessLogFormat.parse("$remote_addr $host \"$request\" $status $upstream_addr $request_id $http_user_agent")
        let line = AccessLog.render(Self.entry, as: format)
        #expect(line == "192.0.2.7 www.cdn.test \"GET /a?\\\"x\\\" HTTP/1.1\" 200 shield-1 abc-1 curl/8 \\\"quoted\\\"\\xa\n")
    }

    @Test("combined keeps nginx's fields first and adds host, upstream and request id")
    func combined() {
        let line = AccessLog.render(Self.entry, as: .combined)
        #expect(line.hasPrefix("192.0.2.7 - - [06/Nov/1994:08:49:37 +0000] \"GET /a?\\\"x\\\" HTTP/1.1\" 200 1024"))
        #expect(line.contains(" host=www.cdn.test upstream=shield-1 upstream_status=200 request_id=abc-1\n"))
    }

    @Test("a request id is kept only from a trusted tier, and only when it is a sane token")
    func requestIDs() {
        var headers = HTTPHeaders()
        headers.add(name: "x-request-id", value: "edge-chosen-1")
        #expect(RequestID.resolve(headers, trusted: true) == "edge-chosen-1")
        #expect(RequestID.resolve(headers, trusted: false) != "edge-chosen-1")
        headers.replaceOrAdd(name: "x-request-id", value: "bad id with spaces")
        #expect(RequestID.resolve(headers, trusted: true) != "bad id with spaces")
        #expect(RequestID.generate() != RequestID.generate())
    }
}
