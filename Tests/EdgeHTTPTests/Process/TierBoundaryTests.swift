import Foundation
import NIOHTTP1
import Testing

/// The boundary between the CDN and the public at a real edge behind a real shield (issue 12, defect 8): the
/// shield still hands its edges the inter-tier and purge-tag fields, the edge removes them, and neither tier's
/// error responses name an upstream or its address.
@Suite("Tier boundary", .serialized)
struct TierBoundaryTests {
    static let files = ["tagged/x.txt": "x\n", "plain.txt": "plain\n"]
    static let rules = """
        match /tagged/*
            cache-control "public, max-age=600"
            header Surrogate-Key "product-7 catalogue"
            header Cache-Tag "product-7"
        default
            cache-control "public, max-age=600"
        """
    static let internalFields = ["edge-origin-fetched-at", "surrogate-key", "cache-tag"]

    @Test func internalFieldsReachEdgesButNotClientsAndPurgeByTagStillWorks() async throws {
        let cluster = try await TierCluster.start(shields: 1, edges: 1, files: Self.files, rules: Self.rules)
        defer { Task { await cluster.shutdown() } }
        let miss = try await cluster.get("/tagged/x.txt", from: "edge-1")
        let hit = try await cluster.get("/tagged/x.txt", from: "edge-1")
        #expect(hit.cacheStatus.contains("edge-1; hit"), "\(hit.cacheStatus)")
        for response in [miss, hit] {
            #expect(response.status == 200)
            for field in Self.internalFields {
                #expect(!response.headers.contains(name: field), "\(field) reached the client: \(response.headers)")
            }
        }
        // What an edge gets from its shield (a request carrying this cluster's CDN-Loop entry, as an edge's does).
        let fromShield = try await cluster.get("/tagged/x.txt", from: "shield-1",
                                               headers: [("cdn-loop", "tier-test; node=edge-1; tier=edge")])
        #expect(fromShield.headers["surrogate-key"] == ["product-7 catalogue"])
        #expect(fromShield.headers.contains(name: "edge-origin-fetched-at"))
        // The edge stored the tags it never showed: a purge by tag still reaches its copy.
        #expect(try await cluster.admin(.POST, "/purge", on: "edge-1", body: #"{"tag": "product-7"}"#).status == 200)
        let after = try await cluster.get("/tagged/x.txt", from: "edge-1")
        #expect(!after.cacheStatus.contains("edge-1; hit"), "purged by tag, yet: \(after.cacheStatus)")
    }

    @Test func errorsThroughTheTiersNameNoUpstream() async throws {
        let cluster = try await TierCluster.start(shields: 1, edges: 1, files: Self.files, rules: Self.rules)
        defer { Task { await cluster.shutdown() } }
        #expect(try await cluster.get("/plain.txt", from: "edge-1").status == 200)
        try await cluster.origin.stop()
        let failed = try await cluster.get("/never-cached.txt", from: "edge-1")
        #expect(failed.status == 502 || failed.status == 504, "got \(failed.status)")
        let secrets = ["127.0.0.1", String(cluster.originPort), String(cluster.port("shield-1")), "HTTPClientError",
                       "NIOConnectionError", "(shield-1)", "(http://"]
        for secret in secrets {
            #expect(!failed.body.contains(secret), "\(secret) in the body: \(failed.body)")
            #expect(!failed.cacheStatus.contains(secret), "\(secret) in Cache-Status: \(failed.cacheStatus)")
        }
        #expect(failed.body.hasPrefix("\(failed.status) "), "body: \(failed.body)")
    }
}
