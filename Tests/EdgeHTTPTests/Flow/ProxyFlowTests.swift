import EdgeCache
import EdgeCore
@testable import EdgeHTTP
import EdgeUpstream
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// The request state machine without sockets: a fake upstream and a memory-only store.
@Suite struct ProxyFlowTests {
    /// Answers every request with the same canned response and counts the calls.
    struct FakeUpstream: UpstreamTransport {
        let calls = NIOLockedValueBox(0)
        let status: Int
        let headers: [(String, String)]
        let body: String

        func send(_ request: UpstreamRequest, to upstream: Upstream, logger: Logger, timeLimit: Double?,
                  interim: (@Sendable (HTTPResponseHead) -> Void)?) async throws(UpstreamError) -> UpstreamResponse {
            calls.withLockedValue { $0 += 1 }
            var fields = HTTPHeaders(headers)
            fields.replaceOrAdd(name: "content-length", value: String(body.utf8.count))
            return UpstreamResponse(status: status, headers: fields,
                                    body: UpstreamBody(buffers: [ByteBuffer(string: body)]), upstream: upstream,
                                    firstByteSeconds: 0)
        }

        func firstByteTimeout(for upstream: Upstream) -> Double { 10 }
        func shutdown() async throws {}
    }

    struct OneOrigin: UpstreamChooser {
        func plan(for cacheKey: String, now: Double) -> [Upstream] {
            [Upstream(name: "origin", host: "127.0.0.1", port: 9)]
        }
    }

    struct AlwaysHealthy: UpstreamHealthView {
        func isAvailable(_ upstream: Upstream, now: Double) -> Bool { true }
        func admit(_ upstream: Upstream, now: Double) -> CircuitBreaker.Admission { .allowed }
        func record(_ outcome: UpstreamOutcome, for upstream: Upstream, now: Double) {}
        func snapshot(now: Double) -> [UpstreamHealthSnapshot] { [] }
    }

    /// Adds a header, to show that every response passes `finish`.
    struct MarkTransform: ResponseTransform {
        func transform(_ response: inout ProxyResponse, for request: ProxyRequest) {
            response.headers.add(name: "x-finished", value: "1")
        }
    }

    static func engine(_ upstream: FakeUpstream, pool: NIOThreadPool) -> ProxyEngine {
        ProxyEngine(settings: ProxySettings(cacheName: "flow-test", policy: StoragePolicy()),
                    store: TieredStore(memory: MemoryTier(capacityBytes: 1 << 20, maxObjectBytes: 1 << 16), disk: nil),
                    chooser: OneOrigin(), health: AlwaysHealthy(), client: upstream, ioPool: pool,
                    transforms: [MarkTransform()], metrics: EdgeMetrics(), logger: Logger(label: "flow-test"))
    }

    static func request(_ method: HTTPMethod = .GET, _ path: String = "/a") -> ProxyRequest {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "host", value: "localhost")
        return ProxyRequest(head: head, clientAddress: "127.0.0.1", receivedAt: 0)
    }

    static func respond(_ engine: ProxyEngine, _ request: ProxyRequest) async -> (ProxyResponse, immediate: Bool) {
        switch engine.begin(request) {
        case .response(let response): return (response, true)
        case .pending(let flow): return (await engine.run(flow), false)
        }
    }

    @Test func missIsStoredThenAFreshHitIsAnsweredOnTheEventLoop() async throws {
        let pool = NIOThreadPool.singleton
        let upstream = FakeUpstream(status: 200, headers: [("cache-control", "max-age=60")], body: "hello")
        let engine = Self.engine(upstream, pool: pool)

        let (miss, missImmediate) = await Self.respond(engine, Self.request())
        #expect(!missImmediate)
        #expect(miss.status == .ok)
        #expect(miss.phase == .miss)
        #expect(miss.headers.first(name: "x-finished") == "1")
        if case .shared(let reader) = miss.body {
            var bytes = 0
            for try await chunk in reader { bytes += chunk.readableBytes }
            #expect(bytes == 5)
        }
        // Storing finishes after the body is read; wait for it briefly.
        var hit: (ProxyResponse, immediate: Bool)?
        for _ in 0..<100 {
            let attempt = await Self.respond(engine, Self.request())
            if attempt.immediate { hit = attempt; break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let (response, _) = try #require(hit)
        #expect(response.phase == .hit)
        #expect(response.headers.first(name: "x-finished") == "1")
        #expect(response.headers.first(name: "cache-status")?.contains("flow-test; hit") == true)
        #expect(upstream.calls.withLockedValue { $0 } == 1)
    }

    @Test func uncacheableMethodPassesAndErrorsAlsoFinish() async throws {
        let pool = NIOThreadPool.singleton
        let upstream = FakeUpstream(status: 200, headers: [], body: "posted")
        let engine = Self.engine(upstream, pool: pool)

        let (posted, _) = await Self.respond(engine, Self.request(.POST))
        #expect(posted.phase == .bypass)
        #expect(posted.headers.first(name: "x-finished") == "1")
        #expect(upstream.calls.withLockedValue { $0 } == 1)

        var onlyIfCached = Self.request(.GET, "/nothing")
        onlyIfCached.head.headers.add(name: "cache-control", value: "only-if-cached")
        let (refused, _) = await Self.respond(engine, onlyIfCached)
        #expect(refused.status == .gatewayTimeout)
        #expect(refused.headers.first(name: "x-finished") == "1")
        #expect(upstream.calls.withLockedValue { $0 } == 1)
    }
}
