import EdgeHTTP
import Foundation
import Testing

/// What a public client sees of the CDN's internals (issue 12, defect 8): no inter-tier or purge-tag fields, and
/// no upstream names, addresses or client-library errors in error responses.
@Suite("Internal headers and errors stay inside the CDN")
struct PublicResponseTests {
    static let rules = """
        match /tagged/*
            cache-control "public, max-age=600"
            header Surrogate-Key "product-7 catalogue"
            header Cache-Tag "product-7"
        default
            cache-control "public, max-age=600"
        """
    static let internalFields = ["edge-origin-fetched-at", "surrogate-key", "cache-tag"]

    func withCluster(configure: (inout EdgeNodeSettings) -> Void = { _ in },
                     _ body: (TestCluster) async throws -> Void) async throws {
        let cluster = try await TestCluster.start(files: ["tagged/x.txt": "x\n", "a.txt": "a\n"], rules: Self.rules,
                                                  configure: configure)
        do { try await body(cluster) } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    @Test func anEdgeStripsInternalFieldsOnMissAndHitUnlessConfiguredToKeepThem() async throws {
        try await withCluster { cluster in
            let miss = try await cluster.request("/tagged/x.txt")
            let hit = try await cluster.request("/tagged/x.txt")
            #expect(hit.cacheStatus.contains("hit"))
            for response in [miss, hit] {
                for field in Self.internalFields {
                    #expect(!response.headers.contains(name: field), "\(field) reached the client")
                }
            }
        }
        try await withCluster(configure: { $0.proxy.stripsInternalHeaders = false }) { cluster in
            let miss = try await cluster.request("/tagged/x.txt")
            let hit = try await cluster.request("/tagged/x.txt")
            for response in [miss, hit] {
                #expect(response.headers["surrogate-key"] == ["product-7 catalogue"])
                #expect(response.headers["cache-tag"] == ["product-7"])
                #expect(response.headers.contains(name: "edge-origin-fetched-at"))
            }
        }
    }

    @Test func anUpstreamFailureShowsOnlyAGenericReason() async throws {
        try await withCluster { cluster in
            try await cluster.origin.stop()
            let response = try await cluster.request("/never-cached.txt")
            #expect(response.status == 502)
            #expect(response.text == "502 Bad Gateway: upstream connect failed\n", "body: \(response.text)")
            #expect(response.cacheStatus.contains("detail=\"upstream connect failed\""), "\(response.cacheStatus)")
            for secret in ["127.0.0.1", String(cluster.originPort), "origin)", "HTTPClientError", "NIO"] {
                #expect(!response.text.contains(secret), "\(secret) in the body")
                #expect(!response.cacheStatus.contains(secret), "\(secret) in Cache-Status")
            }
        }
    }
}
