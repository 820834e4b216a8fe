import Foundation
import NIOHTTP1
import Testing

/// Purges through the admin API of a real cluster (one shield, two edges, the dev origin): every tier drops
/// the object, soft purges revalidate, a purge racing a fetch sticks, and the API refuses bad tokens.
@Suite("cluster-wide purge", .serialized)
struct PurgeClusterTests {
    static let files: [String: String] = [
        "a/one.txt": "one\n", "a/two.txt": "two\n", "b/three.txt": "three\n",
        "tagged/x.txt": "x\n", "tagged/y.txt": "y\n", "slow/s.txt": "slow\n",
    ]
    static let rules = """
        match /tagged/*
            cache-control "public, max-age=600"
            header Surrogate-Key "product-7 catalogue"
        match /slow/*
            cache-control "public, max-age=600"
            delay 1500ms
        default
            cache-control "public, max-age=600"
            etag strong
        """

    static func start() async throws -> TierCluster {
        try await TierCluster.start(shields: 1, edges: 2, files: files, rules: rules)
    }

    /// Warms `path` on both edges (and so on the shield); afterwards both edges hit.
    static func warm(_ path: String, _ cluster: TierCluster) async throws {
        for edge in ["edge-1", "edge-2"] {
            _ = try await cluster.get(path, from: edge)
            #expect(try await cluster.get(path, from: edge).cacheStatus.contains("\(edge); hit"))
        }
    }

    @Test func purgeByURLPrefixAndTagReachesEveryTier() async throws {
        let cluster = try await Self.start()
        defer { Task { await cluster.shutdown() } }
        for path in ["/a/one.txt", "/a/two.txt", "/b/three.txt", "/tagged/x.txt", "/tagged/y.txt"] {
            try await Self.warm(path, cluster)
        }
        cluster.origin.resetCounts()

        // By URL, sent to an edge: every node reports, shields before edges.
        let byURL = try await cluster.admin(.POST, "/purge", on: "edge-2",
                                            body: #"{"url": "http://www.tier.test/a/one.txt"}"#)
        #expect(byURL.status == 200, "\(byURL.body)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(byURL.body.utf8)) as? [String: Any])
        let nodes = (report["nodes"] as? [[String: Any]])?.compactMap { $0["node"] as? String } ?? []
        #expect(Set(nodes) == ["edge-1", "edge-2", "shield-1"])
        #expect(nodes.firstIndex(of: "shield-1")! < nodes.firstIndex(of: "edge-1")!)
        #expect(report["complete"] as? Bool == true)
        let after = try await cluster.get("/a/one.txt", from: "edge-1")
        #expect(after.cacheStatus.contains("shield-1; fwd=miss") && after.cacheStatus.contains("edge-1; fwd=miss"),
                "\(after.cacheStatus)")
        #expect(cluster.origin.requestCount(path: "/a/one.txt") == 1)
        #expect(try await cluster.get("/a/two.txt", from: "edge-1").cacheStatus.contains("edge-1; hit"))

        // By prefix: /a/two.txt goes, /b/three.txt stays.
        #expect(try await cluster.admin(.POST, "/purge", on: "shield-1",
                                        body: #"{"prefix": "http://www.tier.test/a/"}"#).status == 200)
        #expect(try await cluster.get("/a/two.txt", from: "edge-2").cacheStatus.contains("shield-1; fwd=miss"))
        #expect(try await cluster.get("/b/three.txt", from: "edge-2").cacheStatus.contains("edge-2; hit"))

        // By tag (from the origin's Surrogate-Key): both tagged objects go from every node.
        #expect(try await cluster.admin(.POST, "/purge", on: "edge-1", body: #"{"tag": "product-7"}"#).status == 200)
        for path in ["/tagged/x.txt", "/tagged/y.txt"] {
            #expect(try await cluster.get(path, from: "edge-1").cacheStatus.contains("shield-1; fwd=miss"))
            #expect(cluster.origin.requestCount(path: path) == 1)
        }
    }

    @Test func softPurgeRevalidatesWithTheOrigin() async throws {
        let cluster = try await Self.start()
        defer { Task { await cluster.shutdown() } }
        try await Self.warm("/b/three.txt", cluster)
        cluster.origin.resetCounts()
        let soft = try await cluster.admin(.POST, "/purge", on: "edge-1",
                                           body: #"{"url": "http://www.tier.test/b/three.txt", "soft": true}"#)
        #expect(soft.status == 200, "\(soft.body)")
        let revalidated = try await cluster.get("/b/three.txt", from: "edge-1")
        #expect(revalidated.status == 200)
        #expect(revalidated.body == "three\n")
        // The shield revalidated with the origin (a 304), and the edge with the shield.
        #expect(revalidated.cacheStatus.contains("shield-1; fwd=stale; fwd-status=304"), "\(revalidated.cacheStatus)")
        #expect(revalidated.cacheStatus.contains("edge-1; fwd=stale"), "\(revalidated.cacheStatus)")
        #expect(cluster.origin.requestCount(path: "/b/three.txt") == 1)
        // Revalidated objects are fresh again: the next request is a plain hit.
        #expect(try await cluster.get("/b/three.txt", from: "edge-1").cacheStatus.contains("edge-1; hit"))
    }

    @Test func aPurgeRacingAnInFlightFetchSticks() async throws {
        let cluster = try await Self.start()
        defer { Task { await cluster.shutdown() } }
        // The origin takes 1.5 s; purge while the fetch is in flight at every tier.
        let inFlight = Task { try await cluster.get("/slow/s.txt", from: "edge-1") }
        try await Task.sleep(for: .milliseconds(500))
        let purge = try await cluster.admin(.POST, "/purge", on: "edge-2",
                                            body: #"{"url": "http://www.tier.test/slow/s.txt"}"#)
        #expect(purge.status == 200)
        let first = try await inFlight.value
        #expect(first.status == 200)  // the client that asked before the purge still gets its answer
        // ...but neither tier stored it: the next request goes to the origin again.
        let next = try await cluster.get("/slow/s.txt", from: "edge-1")
        #expect(next.cacheStatus.contains("shield-1; fwd=miss"), "\(next.cacheStatus)")
        #expect(cluster.origin.requestCount(path: "/slow/s.txt") == 2)
    }

    @Test func tokensAreRequiredAndStatusListsEveryMember() async throws {
        let cluster = try await Self.start()
        defer { Task { await cluster.shutdown() } }
        let missing = try await cluster.admin(.GET, "/status", on: "edge-1", token: nil)
        #expect(missing.status == 401)
        #expect(missing.body.contains("error"))
        #expect(try await cluster.admin(.POST, "/purge", on: "edge-1", body: #"{"all": true}"#,
                                        token: "a-wrong-token-of-length").status == 401)
        let status = try await cluster.admin(.GET, "/status", on: "edge-1")
        #expect(status.status == 200)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any])
        #expect(document["node"] as? String == "edge-1")
        let members = (document["members"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(Set(members) == ["shield-1", "edge-1", "edge-2"])
        // The public listener never exposes admin paths; PURGE from loopback (allowed by default) works there.
        #expect(try await cluster.get("/status", from: "edge-1").cacheStatus.contains("fwd=miss"))
        var purge = HTTPClientRequestBuilder.purge(port: cluster.port("edge-1"), path: "/a/one.txt")
        purge.headers.add(name: "host", value: "www.tier.test")
        let response = try await cluster.client.execute(purge, timeout: .seconds(10))
        #expect(response.status == .ok)
    }

    /// A `PURGE` from an address outside `[admin] purge_allow` is refused as 403 Forbidden (the method exists;
    /// this client may not use it), as edge.conf and the README say, and the object stays cached.
    @Test func purgeMethodFromAnAddressNotAllowedIsForbidden() async throws {
        let cluster = try await TierCluster.start(shields: 0, edges: 1, files: Self.files, rules: Self.rules,
                                                  admin: #"purge_allow = ["192.0.2.0/24"]"#)
        defer { Task { await cluster.shutdown() } }
        _ = try await cluster.get("/a/one.txt", from: "edge-1")
        var purge = HTTPClientRequestBuilder.purge(port: cluster.port("edge-1"), path: "/a/one.txt")
        purge.headers.add(name: "host", value: "www.tier.test")
        let response = try await cluster.client.execute(purge, timeout: .seconds(10))
        #expect(response.status == .forbidden)
        #expect(try await cluster.get("/a/one.txt", from: "edge-1").cacheStatus.contains("edge-1; hit"))
        #expect(cluster.origin.requestCount(path: "/a/one.txt") == 1)
    }
}

import AsyncHTTPClient

enum HTTPClientRequestBuilder {
    static func purge(port: Int, path: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .RAW(value: "PURGE")
        return request
    }
}
