import EdgeCache
import EdgeHTTP
import EdgeUpstream
import Foundation
import Testing

/// RFC 9110 §15.2 and RFC 8297 through running nodes: an upstream's `103 Early Hints` reaches an HTTP/1.1
/// client before the final response, through every tier, and is never stored: the hit that follows carries none.
@Suite("Interim responses through running nodes")
struct InterimResponseTests {
    static let link = "</style.css>; rel=preload; as=style"

    static func origin() throws -> ScriptedOrigin {
        try ScriptedOrigin { request in
            .init(headers: [("Cache-Control", "public, max-age=300")], body: "page \(request.target)",
                  interim: [(103, [("Link", link)])])
        }
    }

    func raw(_ target: String, port: Int, version: String = "HTTP/1.1") async throws -> String {
        let connection = try RawConnection(port: port)
        connection.send("GET \(target) \(version)\r\nHost: t\r\nConnection: close\r\n\r\n")
        return await connection.readAll().text
    }

    /// Checks one miss relays the 103 (with its Link) before the 200, and the next request is a hit without it.
    func expectRelayedThenHit(port: Int, target: String) async throws {
        let miss = try await raw(target, port: port)
        #expect(miss.hasPrefix("HTTP/1.1 103"), "got: \(miss.prefix(120))")
        let hints = miss.range(of: "HTTP/1.1 103")
        let final = miss.range(of: "HTTP/1.1 200")
        #expect(hints != nil && final != nil && hints!.lowerBound < final!.lowerBound)
        let interimHead = final.map { String(miss[..<$0.lowerBound]) } ?? ""
        #expect(interimHead.lowercased().contains("link: \(Self.link)".lowercased()))
        #expect(miss.hasSuffix("page \(target)"))

        let hit = try await raw(target, port: port)
        #expect(hit.hasPrefix("HTTP/1.1 200"), "got: \(hit.prefix(120))")
        #expect(!hit.contains(" 103 "))
        #expect(hit.lowercased().contains("hit"), "the second request is a cache hit")
    }

    @Test func earlyHintsReachTheClientBeforeTheFinalResponseAndAreNotStored() async throws {
        let origin = try Self.origin()
        defer { origin.stop() }
        let cluster = try await TestCluster.start(rules: "") { settings in
            settings.origins = [Upstream(name: "scripted", host: "127.0.0.1", port: origin.port)]
        }
        do {
            try await expectRelayedThenHit(port: cluster.edgePort, target: "/hinted")
            // Never to an HTTP/1.0 client (RFC 9110 §15.2).
            let old = try await raw("/hinted-1.0", port: cluster.edgePort, version: "HTTP/1.0")
            #expect(old.hasPrefix("HTTP/1.0 200"), "got: \(old.prefix(120))")
            #expect(!old.contains(" 103 "))
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
        #expect(origin.requests(method: "GET", target: "/hinted") == 1)
    }

    @Test func earlyHintsCrossEveryTier() async throws {
        let origin = try Self.origin()
        defer { origin.stop() }
        let shield = try await TestCluster.start(rules: "") { settings in
            settings.proxy = ProxySettings(cacheName: "shield-test", policy: StoragePolicy(), tier: .shield)
            settings.origins = [Upstream(name: "scripted", host: "127.0.0.1", port: origin.port)]
        }
        let edge: TestCluster
        do {
            edge = try await TestCluster.start(rules: "") { settings in
                settings.shields = [Upstream(name: "shield", host: "127.0.0.1", port: shield.edgePort, tier: .shield)]
            }
        } catch {
            await shield.shutdown()
            throw error
        }
        do {
            try await expectRelayedThenHit(port: edge.edgePort, target: "/tiered")
        } catch {
            await edge.shutdown()
            await shield.shutdown()
            throw error
        }
        await edge.shutdown()
        await shield.shutdown()
        #expect(origin.requests(method: "GET", target: "/tiered") == 1)
    }
}
