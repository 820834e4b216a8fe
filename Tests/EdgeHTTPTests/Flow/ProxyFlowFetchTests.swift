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

/// The fetch side of the request state machine without sockets: revalidation (304), stale-while-revalidate,
/// stale-if-error and coalescing, each driven through `begin`/`run` with a scripted upstream and a memory store.
@Suite struct ProxyFlowFetchTests {
    /// What the scripted upstream answers: a response, or an error as the client would classify it.
    enum Answer: Sendable {
        case response(status: Int, headers: [(String, String)], body: String)
        case failure(UpstreamError.Kind)
    }

    /// Answers each request with `script(call number, request)` after `delay`; records every request it saw.
    final class ScriptedUpstream: UpstreamTransport {
        let seen = NIOLockedValueBox<[UpstreamRequest]>([])
        let delay: Duration
        let script: @Sendable (Int, UpstreamRequest) -> Answer

        init(delay: Duration = .zero, script: @escaping @Sendable (Int, UpstreamRequest) -> Answer) {
            self.delay = delay
            self.script = script
        }

        var calls: Int { seen.withLockedValue { $0.count } }

        func send(_ request: UpstreamRequest, to upstream: Upstream, logger: Logger, timeLimit: Double?,
                  interim: (@Sendable (HTTPResponseHead) -> Void)?) async throws(UpstreamError) -> UpstreamResponse {
            let call = seen.withLockedValue { seen -> Int in
                seen.append(request)
                return seen.count
            }
            if delay > .zero { try? await Task.sleep(for: delay) }
            switch script(call, request) {
            case .failure(let kind):
                throw UpstreamError(kind: kind, upstream: upstream.name, message: "scripted \(kind)")
            case .response(let status, let headers, let body):
                var fields = HTTPHeaders(headers)
                if status != 304 { fields.replaceOrAdd(name: "content-length", value: String(body.utf8.count)) }
                return UpstreamResponse(status: status, headers: fields,
                                        body: UpstreamBody(buffers: body.isEmpty ? [] : [ByteBuffer(string: body)]),
                                        upstream: upstream, firstByteSeconds: 0)
            }
        }

        func firstByteTimeout(for upstream: Upstream) -> Double { 10 }
        func shutdown() async throws {}
    }

    static func engine(_ upstream: ScriptedUpstream) -> ProxyEngine {
        ProxyEngine(settings: ProxySettings(cacheName: "flow", policy: StoragePolicy()),
                    store: TieredStore(memory: MemoryTier(capacityBytes: 1 << 20, maxObjectBytes: 1 << 16), disk: nil),
                    chooser: ProxyFlowTests.OneOrigin(), health: ProxyFlowTests.AlwaysHealthy(), client: upstream,
                    ioPool: NIOThreadPool.singleton, transforms: [ProxyFlowTests.MarkTransform()],
                    metrics: EdgeMetrics(), logger: Logger(label: "flow-fetch-test"))
    }

    /// The response and its whole body.
    static func get(_ engine: ProxyEngine, _ path: String = "/a") async throws -> (ProxyResponse, String) {
        let (response, _) = await ProxyFlowTests.respond(engine, ProxyFlowTests.request(.GET, path))
        return (response, try await text(of: response.body))
    }

    static func text(of body: ResponseBody) async throws -> String {
        switch body {
        case .empty: return ""
        case .buffer(let buffer): return String(buffer: buffer)
        case .shared(let reader):
            var out = ""
            for try await chunk in reader { out += String(buffer: chunk) }
            return out
        case .upstream(let stream):
            var out = ""
            for try await chunk in stream { out += String(buffer: chunk) }
            return out
        case .coded: return "<coded>"
        case .file(let file):
            var out = ""
            for try await chunk in file { out += String(buffer: chunk) }
            return out
        case .ranged(let ranged):
            var out = ""
            for try await chunk in ranged { out += String(buffer: chunk) }
            return out
        }
    }

    /// Waits until the store holds `count` objects (an object is stored once its body has been read), at most 1 s.
    static func waitUntilStored(_ engine: ProxyEngine, count: Int = 1) async throws {
        for _ in 0..<100 where engine.store.stats.memory.objects < count {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(engine.store.stats.memory.objects >= count)
    }

    static func cacheStatus(_ response: ProxyResponse) -> String {
        response.headers["cache-status"].joined(separator: ", ")
    }

    @Test func aStaleObjectIsRevalidatedWithItsValidatorAnd304KeepsTheStoredBody() async throws {
        let upstream = ScriptedUpstream { call, _ in
            call == 1
                ? .response(status: 200, headers: [("cache-control", "max-age=0"), ("etag", "\"v1\"")], body: "stored body")
                : .response(status: 304, headers: [("cache-control", "max-age=60"), ("etag", "\"v1\"")], body: "")
        }
        let engine = Self.engine(upstream)
        let (first, firstBody) = try await Self.get(engine)
        #expect(first.phase == .miss && firstBody == "stored body")
        try await Self.waitUntilStored(engine)

        let (second, secondBody) = try await Self.get(engine)
        #expect(second.status == .ok)
        #expect(secondBody == "stored body")
        #expect(Self.cacheStatus(second).contains("fwd=stale"), "\(Self.cacheStatus(second))")
        #expect(Self.cacheStatus(second).contains("fwd-status=304"), "\(Self.cacheStatus(second))")
        #expect(second.headers.first(name: "x-finished") == "1")
        let conditional = try #require(upstream.seen.withLockedValue { $0.last })
        #expect(conditional.headers.first(name: "if-none-match") == "\"v1\"")

        // The 304 freshened the stored object: the next request is a hit with no upstream call.
        let (third, thirdBody) = try await Self.get(engine)
        #expect(third.phase == .hit && thirdBody == "stored body")
        #expect(upstream.calls == 2)
    }

    @Test func staleWhileRevalidateAnswersStaleAtOnceAndRefreshesOnceInTheBackground() async throws {
        let upstream = ScriptedUpstream { call, _ in
            .response(status: 200, headers: [("cache-control", "max-age=0, stale-while-revalidate=60")],
                      body: call == 1 ? "old" : "new")
        }
        let engine = Self.engine(upstream)
        _ = try await Self.get(engine)
        try await Self.waitUntilStored(engine)

        let (stale, staleBody) = try await Self.get(engine)
        #expect(staleBody == "old")
        #expect(Self.cacheStatus(stale).contains("stale-while-revalidate"), "\(Self.cacheStatus(stale))")
        #expect(stale.headers.first(name: "x-finished") == "1")
        // The refresh runs in the background; wait for it, then the stored object is the new one.
        for _ in 0..<100 where upstream.calls < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(upstream.calls == 2)
        var latest = ""
        for _ in 0..<100 where latest != "new" {
            try await Task.sleep(for: .milliseconds(10))
            latest = try await Self.get(engine).1
        }
        #expect(latest == "new")
    }

    @Test func staleIfErrorServesTheStoredObjectWhenTheUpstreamFails() async throws {
        let upstream = ScriptedUpstream { call, _ in
            call == 1
                ? .response(status: 200, headers: [("cache-control", "max-age=0, stale-if-error=60")], body: "kept")
                : .failure(.connect)
        }
        let engine = Self.engine(upstream)
        _ = try await Self.get(engine)
        try await Self.waitUntilStored(engine)

        let (stale, body) = try await Self.get(engine)
        #expect(stale.status == .ok)
        #expect(body == "kept")
        #expect(Self.cacheStatus(stale).contains("stale-if-error"), "\(Self.cacheStatus(stale))")
        #expect(stale.headers.first(name: "x-finished") == "1")

        // Without stale-if-error the same failure is an error response, and it finishes too.
        let cold = try await Self.get(engine, "/never-stored")
        #expect(cold.0.status.code >= 500)
        #expect(cold.0.headers.first(name: "x-finished") == "1")
    }

    @Test func concurrentMissesForOneKeyMakeOneUpstreamRequest() async throws {
        let upstream = ScriptedUpstream(delay: .milliseconds(200)) { _, _ in
            .response(status: 200, headers: [("cache-control", "max-age=60")], body: String(repeating: "x", count: 5000))
        }
        let engine = Self.engine(upstream)
        let bodies = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask { try await Self.get(engine, "/cold").1.utf8.count }
            }
            var sizes: [Int] = []
            for try await size in group { sizes.append(size) }
            return sizes
        }
        #expect(bodies.count == 20 && bodies.allSatisfy { $0 == 5000 }, "\(bodies)")
        #expect(upstream.calls == 1)
    }
}
