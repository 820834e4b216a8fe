import EdgeUpstream
import Foundation
import Testing

/// RFC 9111 §3.1: a stored response keeps every header field except the connection-specific ones, and a hit is
/// served with them.
@Suite("Fields kept by the store")
struct StoredFieldsTests {
    @Test func aStored200KeepsContentRangeAndOtherEndToEndFields() async throws {
        let origin = try ScriptedOrigin { _ in
            .init(headers: [("Cache-Control", "public, max-age=300"), ("Content-Range", "bytes 0-4/10"),
                            ("X-Custom", "kept"), ("Keep-Alive", "timeout=5"), ("Connection", "X-Hop"),
                            ("X-Hop", "dropped")],
                  body: "01234")
        }
        let cluster = try await TestCluster.start(rules: "") { settings in
            settings.origins = [Upstream(name: "scripted", host: "127.0.0.1", port: origin.port)]
        }
        defer { origin.stop() }
        do {
            let first = try await cluster.request("/partial")
            #expect(first.status == 200)
            #expect(first.headers.first(name: "content-range") == "bytes 0-4/10")
            let hit = try await cluster.request("/partial")
            #expect(hit.cacheStatus.hasPrefix("edge-test; hit"), "\(hit.cacheStatus)")
            #expect(hit.status == 200)
            #expect(hit.text == "01234")
            #expect(hit.headers.first(name: "content-range") == "bytes 0-4/10")
            #expect(hit.headers.first(name: "x-custom") == "kept")
            #expect(hit.headers.first(name: "x-hop") == nil)
            #expect(hit.headers.first(name: "keep-alive") == nil)
            // The disk tier keeps them too.
            try await cluster.restartEdge()
            let diskHit = try await cluster.request("/partial")
            #expect(diskHit.cacheStatus.hasPrefix("edge-test; hit"), "\(diskHit.cacheStatus)")
            #expect(diskHit.headers.first(name: "content-range") == "bytes 0-4/10")
            #expect(diskHit.headers.first(name: "x-custom") == "kept")
            #expect(origin.requests.count == 1)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }
}
