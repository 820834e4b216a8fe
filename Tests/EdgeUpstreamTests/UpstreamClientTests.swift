@testable import EdgeUpstream
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

/// The upstream client against real loopback servers: connection reuse and its limits, timeouts, error kinds,
/// retries on stale connections, bodies both ways with back-pressure, and interim responses.
@Suite("Upstream client", .serialized)
struct UpstreamClientTests {
    static let logger = Logger(label: "upstream-client-test")

    func withClient(_ timeouts: UpstreamTimeouts = .init(connect: 1, firstByte: 3, idle: 3),
                    maxConnections: Int = 8, maxWaiters: Int? = nil,
                    _ body: (UpstreamClient, MultiThreadedEventLoopGroup) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = UpstreamClient(eventLoopGroup: group, timeouts: timeouts, maxConnectionsPerHost: maxConnections,
                                    maxWaitersPerLoop: maxWaiters)
        do { try await body(client, group) } catch {
            try? await client.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        try await client.shutdown()
        try await group.shutdownGracefully()
    }

    func upstream(_ server: LoopbackServer) -> Upstream {
        Upstream(name: "loopback", host: "127.0.0.1", port: server.port)
    }

    func send(_ client: UpstreamClient, _ server: LoopbackServer, _ method: HTTPMethod = .GET, _ target: String = "/",
              body: RequestBody? = nil, interim: (@Sendable (HTTPResponseHead) -> Void)? = nil)
        async throws -> UpstreamResponse
    {
        var headers = HTTPHeaders()
        headers.add(name: "host", value: "origin.test")
        return try await client.send(UpstreamRequest(method: method, target: target, headers: headers, body: body),
                                     to: upstream(server), logger: Self.logger, timeLimit: nil, interim: interim)
    }

    func text(_ body: UpstreamBody) async throws -> String {
        var bytes: [UInt8] = []
        for try await chunk in body { bytes += chunk.readableBytesView }
        return String(decoding: bytes, as: UTF8.self)
    }

    func errorKind(_ work: () async throws -> Void) async -> UpstreamError.Kind? {
        do {
            try await work()
            return nil
        } catch {
            return (error as? UpstreamError)?.kind
        }
    }

    /// Answers every request on a connection with `body`, keeping the connection open.
    static func keepAlive(_ body: String) -> @Sendable (LoopbackServer.Peer) -> Void {
        { peer in while peer.readRequest() != nil { peer.respond(body) } }
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try LoopbackServer(script: Self.keepAlive("hello"))
        defer { server.stop() }
        try await withClient { (client, group) async throws in
            for _ in 0..<5 {
                let response = try await send(client, server)
                #expect(response.status == 200)
                #expect(try await text(response.body) == "hello")
            }
            let counts = try await client.connectionCounts(on: group.next(), host: "127.0.0.1", port: server.port)
            #expect(counts.open == 1 && counts.idle == 1)
        }
        #expect(server.acceptedConnections == 1)
    }

    @Test func anIdlePooledConnectionClosesAfterItsKeepAlive() async throws {
        let server = try LoopbackServer(script: Self.keepAlive("hello"))
        defer { server.stop() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = UpstreamClient(eventLoopGroup: group, timeouts: .init(), maxConnectionsPerHost: 8,
                                    maxWaitersPerLoop: nil, keepAlive: .milliseconds(200))
        #expect(try await text(send(client, server).body) == "hello")
        let parked = try await client.connectionCounts(on: group.next(), host: "127.0.0.1", port: server.port)
        #expect(parked.open == 1 && parked.idle == 1)
        try await Task.sleep(for: .milliseconds(700))
        let swept = try await client.connectionCounts(on: group.next(), host: "127.0.0.1", port: server.port)
        #expect(swept.open == 0 && swept.idle == 0)
        #expect(try await text(send(client, server).body) == "hello")
        #expect(server.acceptedConnections == 2)
        try await client.shutdown()
        try await group.shutdownGracefully()
    }

    @Test func aServerClosingAnIdleConnectionTakesItOutOfThePool() async throws {
        let server = try LoopbackServer { peer in
            guard peer.readRequest() != nil else { return }
            peer.respond("once")  // then the thread ends and the socket closes
        }
        defer { server.stop() }
        try await withClient { (client, group) async throws in
            #expect(try await text(send(client, server).body) == "once")
            try await Task.sleep(for: .milliseconds(300))
            let counts = try await client.connectionCounts(on: group.next(), host: "127.0.0.1", port: server.port)
            #expect(counts.open == 0 && counts.idle == 0)
            #expect(try await text(send(client, server).body) == "once")
        }
        #expect(server.acceptedConnections == 2)
    }

    @Test func noReuseAfterConnectionCloseOrHTTP10() async throws {
        let closing = try LoopbackServer { peer in
            while peer.readRequest() != nil { peer.respond("bye", headers: "Connection: close\r\n") }
        }
        let old = try LoopbackServer { peer in
            while peer.readRequest() != nil { peer.write("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi") }
        }
        defer { closing.stop(); old.stop() }
        try await withClient { (client, _) async throws in
            for _ in 0..<3 {
                #expect(try await text(send(client, closing).body) == "bye")
                #expect(try await text(send(client, old).body) == "hi")
            }
        }
        #expect(closing.acceptedConnections == 3)
        #expect(old.acceptedConnections == 3)
    }

    @Test func anAbandonedBodyClosesItsConnection() async throws {
        let server = try LoopbackServer { peer in
            guard peer.readRequest() != nil else { return }
            if peer.index == 1 {
                peer.write("HTTP/1.1 200 OK\r\nContent-Length: 4194304\r\n\r\n")
                let chunk = [UInt8](repeating: 0x61, count: 65_536)
                for _ in 0..<64 where peer.write(chunk) {}
            } else {
                peer.respond("next")
                while peer.readRequest() != nil { peer.respond("next") }
            }
        }
        defer { server.stop() }
        try await withClient { (client, _) async throws in
            func readOneChunk() async throws {
                let response = try await send(client, server)
                var iterator = response.body.makeAsyncIterator()
                #expect(try await iterator.next() != nil)
            }
            try await readOneChunk()
            #expect(try await text(send(client, server).body) == "next")
        }
        #expect(server.acceptedConnections == 2)
    }

    @Test func firstByteTimeout() async throws {
        let server = try LoopbackServer { peer in
            _ = peer.readRequest()
            _ = peer.readRequest()  // waits, silent, until the client gives up and closes
        }
        defer { server.stop() }
        try await withClient(.init(connect: 1, firstByte: 0.3, idle: 3)) { (client, _) async throws in
            let started = ContinuousClock.now
            #expect(await errorKind { _ = try await send(client, server) } == .firstByteTimeout)
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }

    @Test func timeLimitShortensTheFirstByteTimeout() async throws {
        let server = try LoopbackServer { peer in
            _ = peer.readRequest()
            _ = peer.readRequest()
        }
        defer { server.stop() }
        try await withClient(.init(connect: 1, firstByte: 5, idle: 5)) { (client, _) async throws in
            let started = ContinuousClock.now
            let kind = await errorKind {
                _ = try await client.send(UpstreamRequest(method: .GET, target: "/", headers: [:]),
                                          to: upstream(server), logger: Self.logger, timeLimit: 0.2, interim: nil)
            }
            #expect(kind == .firstByteTimeout)
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }

    @Test func cancellingTheCallerEndsTheExchangeAndClosesTheConnection() async throws {
        let closed = Mutex(false)
        let server = try LoopbackServer { peer in
            _ = peer.readRequest()
            if peer.readRequest() == nil { closed.withLock { $0 = true } }
        }
        defer { server.stop() }
        try await withClient(.init(connect: 1, firstByte: 5, idle: 5)) { (client, group) async throws in
            let started = ContinuousClock.now
            let task = Task { await errorKind { _ = try await send(client, server) } }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            #expect(await task.value == .cancelled)
            #expect(ContinuousClock.now - started < .seconds(2))
            try await Task.sleep(for: .milliseconds(200))
            #expect(closed.withLock { $0 }, "the upstream saw the connection close")
            let counts = try await client.connectionCounts(on: group.next(), host: "127.0.0.1", port: server.port)
            #expect(counts.open == 0)
        }
    }

    @Test func idleTimeoutMidBody() async throws {
        let server = try LoopbackServer { peer in
            _ = peer.readRequest()
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            _ = peer.readRequest()
        }
        defer { server.stop() }
        try await withClient(.init(connect: 1, firstByte: 3, idle: 0.3)) { (client, _) async throws in
            let response = try await send(client, server)
            #expect(response.status == 200)
            #expect(await errorKind { _ = try await text(response.body) } == .idleTimeout)
        }
    }

    @Test func connectionRefusedIsAConnectError() async throws {
        let port = try LoopbackServer.closedPort()
        try await withClient { (client, _) async throws in
            let kind = await errorKind {
                _ = try await client.send(UpstreamRequest(method: .GET, target: "/", headers: [:]),
                                          to: Upstream(name: "gone", host: "127.0.0.1", port: port),
                                          logger: Self.logger, timeLimit: nil, interim: nil)
            }
            #expect(kind == .connect)
        }
    }

    /// An https upstream gets its TLS context at start; one without (a wiring mistake) is refused before any
    /// connection, never sent in the clear. TLS itself is tested end to end in `UpstreamTLSTests`.
    @Test func httpsUpstreamWithoutTLSSettingsIsNeverSentInTheClear() async throws {
        try await withClient { (client, _) async throws in
            let kind = await errorKind {
                _ = try await client.send(UpstreamRequest(method: .GET, target: "/", headers: [:]),
                                          to: Upstream(name: "tls", scheme: "https", host: "127.0.0.1", port: 443),
                                          logger: Self.logger, timeLimit: nil, interim: nil)
            }
            #expect(kind == .invalidRequest)
        }
    }

    @Test func poolCapQueuesWaitersThenFailsWithLocalLimit() async throws {
        let server = try LoopbackServer { peer in
            while peer.readRequest() != nil {
                Thread.sleep(forTimeInterval: 0.3)
                peer.respond("slow")
            }
        }
        defer { server.stop() }
        try await withClient(maxConnections: 1, maxWaiters: 1) { (client, _) async throws in
            let results = await withTaskGroup(of: Result<String, UpstreamError>.self) { tasks in
                for _ in 0..<3 {
                    tasks.addTask {
                        do {
                            let response = try await send(client, server)
                            return .success((try? await text(response.body)) ?? "")
                        } catch {
                            return .failure(error as? UpstreamError
                                ?? UpstreamError(kind: .protocolError, upstream: "", message: "\(error)"))
                        }
                    }
                }
                var all: [Result<String, UpstreamError>] = []
                for await result in tasks { all.append(result) }
                return all
            }
            let bodies = results.compactMap { try? $0.get() }
            let kinds = results.compactMap { result -> UpstreamError.Kind? in
                if case .failure(let error) = result { return error.kind }
                return nil
            }
            #expect(bodies == ["slow", "slow"])
            #expect(kinds == [.localLimit])
        }
        #expect(server.acceptedConnections == 1)
    }

    /// The first connection answers one request, then reads the next and closes without a byte: what a server
    /// closing an idle keep-alive connection looks like to the request that was just sent on it.
    static func closesAfterFirstExchange() -> @Sendable (LoopbackServer.Peer) -> Void {
        { peer in
            if peer.index == 1 {
                guard peer.readRequest() != nil else { return }
                peer.respond("first")
                _ = peer.readRequest()
            } else {
                while peer.readRequest() != nil { peer.respond("fresh") }
            }
        }
    }

    @Test func anIdempotentRequestOnAStaleConnectionIsRetriedOnce() async throws {
        let server = try LoopbackServer(script: Self.closesAfterFirstExchange())
        defer { server.stop() }
        try await withClient { (client, _) async throws in
            #expect(try await text(send(client, server).body) == "first")
            #expect(try await text(send(client, server).body) == "fresh")
        }
        #expect(server.acceptedConnections == 2)
    }

    @Test func aPostOnAStaleConnectionIsNotRetried() async throws {
        let server = try LoopbackServer(script: Self.closesAfterFirstExchange())
        defer { server.stop() }
        try await withClient { (client, _) async throws in
            #expect(try await text(send(client, server).body) == "first")
            let kind = await errorKind {
                _ = try await send(client, server, .POST, body: .buffer(ByteBuffer(string: "payload")))
            }
            #expect(kind == .protocolError)
        }
        #expect(server.acceptedConnections == 1)
    }

    @Test func headAnd304And204HaveNoBody() async throws {
        let server = try LoopbackServer { peer in
            while let request = peer.readRequest() {
                if request.head.hasPrefix("HEAD") {
                    peer.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
                } else if request.head.hasPrefix("GET /304") {
                    peer.write("HTTP/1.1 304 Not Modified\r\nContent-Length: 1000\r\nETag: \"v1\"\r\n\r\n")
                } else if request.head.hasPrefix("GET /204") {
                    peer.write("HTTP/1.1 204 No Content\r\n\r\n")
                } else {
                    peer.respond("after")
                }
            }
        }
        defer { server.stop() }
        try await withClient { (client, _) async throws in
            let head = try await send(client, server, .HEAD)
            #expect(head.status == 200)
            #expect(try await text(head.body) == "")
            let notModified = try await send(client, server, .GET, "/304")
            #expect(notModified.status == 304)
            #expect(try await text(notModified.body) == "")
            let noContent = try await send(client, server, .GET, "/204")
            #expect(noContent.status == 204)
            #expect(try await text(noContent.body) == "")
            #expect(try await text(send(client, server).body) == "after")
        }
        #expect(server.acceptedConnections == 1)
    }

    @Test func chunkedBodies() async throws {
        let server = try LoopbackServer { peer in
            while peer.readRequest() != nil {
                peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
            }
        }
        defer { server.stop() }
        try await withClient { (client, _) async throws in
            #expect(try await text(send(client, server).body) == "hello world")
            #expect(try await text(send(client, server).body) == "hello world")
        }
        #expect(server.acceptedConnections == 1)
    }

    @Test func aSlowConsumerSlowsTheUpstreamRead() async throws {
        let total = 20 << 20
        let server = try LoopbackServer { peer in
            guard peer.readRequest() != nil else { return }
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: \(total)\r\n\r\n")
            let chunk = [UInt8](repeating: 0x62, count: 256 << 10)
            for _ in 0..<(total / chunk.count) where peer.write(chunk) {}
            // Kept open: a close makes NIO drain the socket to find the EOF, whatever the reads asked for.
            _ = peer.readRequest()
        }
        defer { server.stop() }
        UpstreamBodyStream.peakBufferedBytesObserved.store(0, ordering: .relaxed)
        try await withClient { (client, _) async throws in
            let response = try await send(client, server)
            var received = 0
            var serverAheadAtHalf = 0
            for try await chunk in response.body {
                received += chunk.readableBytes
                if received < total / 2 {
                    try await Task.sleep(for: .milliseconds(1))
                } else if serverAheadAtHalf == 0 {
                    serverAheadAtHalf = server.bytesWritten - received
                }
            }
            #expect(received == total)
            // What the client holds stays near its high watermark; the rest waits in the kernel or the server.
            let peak = UpstreamBodyStream.peakBufferedBytesObserved.load(ordering: .relaxed)
            #expect(peak <= UpstreamBodyStream.highWatermark + (64 << 10), "peak buffered \(peak)")
            #expect(serverAheadAtHalf < total / 2, "the server could not write far ahead: \(serverAheadAtHalf)")
        }
    }

    @Test func aSpooledRequestBodyIsStreamed() async throws {
        let server = try LoopbackServer { peer in
            while let request = peer.readRequest() {
                let sum = request.body.reduce(0) { ($0 &+ Int($1)) & 0xFFFF_FFFF }
                let framed = request.head.lowercased().contains("content-length: \(request.body.count)")
                peer.respond("\(request.body.count) \(sum) \(framed)")
            }
        }
        defer { server.stop() }
        let directory = NSTemporaryDirectory()
        let spool = try SpooledBody.create(in: directory)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var expectedSum = 0
        for part in 0..<5 {
            let bytes = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ part) }
            expectedSum = bytes.reduce(expectedSum) { ($0 &+ Int($1)) & 0xFFFF_FFFF }
            try await spool.append(ByteBuffer(bytes: bytes), eventLoop: group.next()).get()
        }
        try await group.shutdownGracefully()
        try await withClient { (client, _) async throws in
            let response = try await send(client, server, .POST, "/upload", body: .file(spool))
            #expect(try await text(response.body) == "\(5 * 65_536) \(expectedSum) true")
            let again = try await send(client, server, .PUT, "/upload", body: .file(spool))
            #expect(try await text(again.body) == "\(5 * 65_536) \(expectedSum) true")
        }
        #expect(server.acceptedConnections == 1)
    }

    @Test func interimResponsesAreRelayedBeforeTheFinalOne() async throws {
        let server = try LoopbackServer { peer in
            while peer.readRequest() != nil {
                peer.write("HTTP/1.1 100 Continue\r\n\r\n")
                peer.write("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
                peer.respond("final")
            }
        }
        defer { server.stop() }
        let seen = Mutex<[HTTPResponseHead]>([])
        try await withClient { (client, _) async throws in
            let response = try await send(client, server, interim: { head in seen.withLock { $0.append(head) } })
            #expect(response.status == 200)
            #expect(try await text(response.body) == "final")
            // Without a sink they are dropped, and the connection stays usable.
            #expect(try await text(send(client, server).body) == "final")
        }
        let heads = seen.withLock { $0 }
        #expect(heads.count == 1)
        #expect(heads.first?.status.code == 103)
        #expect(heads.first?.headers.first(name: "link") == "</style.css>; rel=preload")
        #expect(server.acceptedConnections == 1)
    }
}
