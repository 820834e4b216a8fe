import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@Suite("Coalescing and streaming through a running edge")
struct CoalescingIntegrationTests {
    @Test func aHundredConcurrentMissesReachTheOriginOnce() async throws {
        let cluster = try await TestCluster.start(
            files: ["cold.txt": String(repeating: "cold object ", count: 1000)],
            rules: """
                match /cold.txt
                  cache-control "public, max-age=300"
                  delay 500ms
                """)
        defer { Task { await cluster.shutdown() } }
        let expected = String(repeating: "cold object ", count: 1000)
        let results = try await withThrowingTaskGroup(of: TestCluster.Response.self) { group in
            for _ in 0..<100 {
                group.addTask { try await cluster.request("/cold.txt") }
            }
            var all: [TestCluster.Response] = []
            for try await response in group { all.append(response) }
            return all
        }
        #expect(results.count == 100)
        #expect(results.allSatisfy { $0.status == 200 && $0.text == expected })
        #expect(cluster.origin.requestCount(path: "/cold.txt") == 1)
        let collapsed = results.filter { $0.cacheStatus.contains("collapsed") }.count
        let hits = results.filter { $0.cacheStatus.hasPrefix("edge-test; hit") }.count
        #expect(collapsed + hits == 99, "every request but the leader was collapsed or a hit")
    }

    @Test func largeObjectsStreamBeforeTheUpstreamFinishes() async throws {
        // 2 MiB at 512 KiB/s: the origin needs about 4 s to send it all.
        let size = 2 << 20
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let cluster = try await TestCluster.start(
            binaryFiles: ["big.bin": bytes],
            rules: """
                match /big.bin
                  cache-control "public, max-age=300"
                  rate 512KiB/s
                """)
        defer { Task { await cluster.shutdown() } }
        let started = ContinuousClock.now
        let response = try await cluster.client.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(cluster.edgePort)/big.bin"), timeout: .seconds(30))
        var iterator = response.body.makeAsyncIterator()
        let first = try await iterator.next()
        let firstByteAfter = ContinuousClock.now - started
        var received = first?.readableBytes ?? 0
        var collected: [UInt8] = first.map { Array($0.readableBytesView) } ?? []
        while let chunk = try await iterator.next() {
            received += chunk.readableBytes
            collected += chunk.readableBytesView
        }
        let totalAfter = ContinuousClock.now - started
        #expect(received == size)
        #expect(collected == bytes)
        #expect(firstByteAfter < .seconds(2), "first byte after \(firstByteAfter)")
        #expect(totalAfter > .seconds(3), "the whole body took \(totalAfter)")
        #expect(totalAfter - firstByteAfter > .seconds(1))

        // Once stored, it is a hit with the same bytes.
        let hit = try await cluster.request("/big.bin")
        #expect(hit.body == bytes)
        #expect(hit.cacheStatus.hasPrefix("edge-test; hit"))
    }
}
