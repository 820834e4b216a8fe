@testable import EdgeUpstream
import NIOCore
import NIOHTTP1
import Testing

/// The upstream exchange's decisions, without sockets.
@Suite("Upstream exchange rules")
struct UpstreamExchangeRulesTests {
    @Test func theRequestHeadIsTheTargetAsGivenWithTheBodyFramed() {
        var headers = HTTPHeaders()
        headers.add(name: "host", value: "example.com")
        let get = UpstreamExchangeRules.requestHead(
            for: UpstreamRequest(method: .GET, target: "/a%20b?x=1", headers: headers))
        #expect(get.uri == "/a%20b?x=1")
        #expect(get.version == .http1_1)
        #expect(get.headers.first(name: "content-length") == nil)
        #expect(get.headers.first(name: "host") == "example.com")

        headers.add(name: "transfer-encoding", value: "chunked")
        let post = UpstreamExchangeRules.requestHead(
            for: UpstreamRequest(method: .POST, target: "/", headers: headers, body: .buffer(ByteBuffer(string: "abc"))))
        #expect(post.headers.first(name: "content-length") == "3")
        #expect(post.headers.first(name: "transfer-encoding") == nil)

        let empty = UpstreamExchangeRules.requestHead(for: UpstreamRequest(method: .PUT, target: "/", headers: [:]))
        #expect(empty.headers.first(name: "content-length") == "0")
        let extensionMethod = UpstreamExchangeRules.requestHead(
            for: UpstreamRequest(method: .RAW(value: "PROPFIND"), target: "/", headers: [:]))
        #expect(extensionMethod.method == .RAW(value: "PROPFIND"))
    }

    @Test func interimResponsesRelayedAreThe1xxOtherThan100And101() {
        #expect(UpstreamExchangeRules.relaysInterim(status: 102))
        #expect(UpstreamExchangeRules.relaysInterim(status: 103))
        #expect(UpstreamExchangeRules.relaysInterim(status: 199))
        #expect(!UpstreamExchangeRules.relaysInterim(status: 100))
        #expect(!UpstreamExchangeRules.relaysInterim(status: 101))
        #expect(!UpstreamExchangeRules.relaysInterim(status: 200))
    }

    @Test func reuseOnlyAfterACompleteKeepAliveExchange() {
        let keepAlive = HTTPResponseHead(version: .http1_1, status: .ok)
        var closing = keepAlive
        closing.headers.add(name: "connection", value: "close")
        let old = HTTPResponseHead(version: .http1_0, status: .ok)
        var oldKeepAlive = old
        oldKeepAlive.headers.add(name: "connection", value: "keep-alive")
        func reusable(_ head: HTTPResponseHead, request: Bool = true, response: Bool = true) -> Bool {
            UpstreamExchangeRules.isReusable(response: head, requestComplete: request, responseComplete: response)
        }
        #expect(reusable(keepAlive))
        #expect(reusable(oldKeepAlive))
        #expect(!reusable(closing))
        #expect(!reusable(old))
        #expect(!reusable(keepAlive, request: false))
        #expect(!reusable(keepAlive, response: false))
    }

    @Test func connectionsAreSplitAcrossLoopsWithAFewEach() {
        #expect(UpstreamExchangeRules.connectionsPerLoop(maxConnectionsPerHost: 64, loops: 2) == 32)
        #expect(UpstreamExchangeRules.connectionsPerLoop(maxConnectionsPerHost: 64, loops: 3) == 22)
        #expect(UpstreamExchangeRules.connectionsPerLoop(maxConnectionsPerHost: 8, loops: 8) == 4)
        #expect(UpstreamExchangeRules.connectionsPerLoop(maxConnectionsPerHost: 2, loops: 1) == 2)
        #expect(UpstreamExchangeRules.connectionsPerLoop(maxConnectionsPerHost: 0, loops: 4) == 1)
        #expect(UpstreamExchangeRules.waitersPerLoop(connectionsPerLoop: 32) == 256)
    }
}
