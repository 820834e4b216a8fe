import AsyncHTTPClient
import EdgeHTTP
import Foundation
import NIOHTTP1
import Testing

/// End-to-end caching behaviour: a real dev origin and a real edge on loopback, a real HTTP client.
@Suite("Caching through a running edge")
struct CachingTests {
    static let rules = """
        match /fresh/*
          cache-control "public, max-age=300"
        match /short/*
          cache-control "public, max-age=1"
        match /sie/*
          cache-control "public, max-age=1, stale-if-error=60"
        match /swr/*
          cache-control "public, max-age=3, stale-while-revalidate=30"
        match /plain/*
          cache-control "max-age=300"
        match /private/*
          cache-control "private, max-age=300"
        match /cookie/*
          cache-control "public, max-age=300"
          header Set-Cookie "session=secret"
        match /nostore/*
          cache-control "no-store"
        match /vary/*
          cache-control "public, max-age=300"
          header Vary "Accept-Language"
        match /slow/*
          cache-control "public, max-age=300"
          delay 300ms
        default
          cache-control "public, max-age=60"
        """

    static let files: [String: String] = [
        "fresh/a.txt": "fresh content", "short/a.txt": "short-lived", "sie/a.txt": "stale-if-error content",
        "swr/a.txt": "swr content", "private/a.txt": "mine only", "cookie/a.txt": "with cookie",
        "nostore/a.txt": "never stored", "vary/a.txt": "varies", "slow/a.txt": "slow content",
        "index.html": "<h1>home</h1>", "api/item.json": "{\"id\":1}", "plain/a.txt": "plain", "range/a.txt": "0123456789",
    ]

    func withCluster(_ body: (TestCluster) async throws -> Void) async throws {
        let cluster = try await TestCluster.start(files: Self.files, rules: Self.rules)
        do {
            try await body(cluster)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    @Test func missThenHit() async throws {
        try await withCluster { cluster in
            let first = try await cluster.request("/fresh/a.txt")
            #expect(first.status == 200)
            #expect(first.text == "fresh content")
            #expect(first.cacheStatus.contains("edge-test; fwd=miss"))
            #expect(first.cacheStatus.contains("stored"))
            #expect(first.headers.first(name: "age") != nil)
            let second = try await cluster.request("/fresh/a.txt")
            #expect(second.text == "fresh content")
            #expect(second.cacheStatus.hasPrefix("edge-test; hit"))
            #expect(second.cacheStatus.contains("ttl="))
            #expect(second.headers.first(name: "age") != nil)
            #expect(second.headers.first(name: "via")?.contains("edge-test") == true)
            #expect(cluster.origin.requestCount(path: "/fresh/a.txt") == 1)
        }
    }

    @Test func headIsAnsweredFromTheCacheWithoutABody() async throws {
        try await withCluster { cluster in
            let head = try await cluster.request("/fresh/a.txt", method: .HEAD)
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.headers.first(name: "content-length") == "13")
            let get = try await cluster.request("/fresh/a.txt")
            #expect(get.cacheStatus.hasPrefix("edge-test; hit"))
            #expect(get.text == "fresh content")
            #expect(cluster.origin.requestCount(path: "/fresh/a.txt") == 1)
        }
    }

    @Test func staleObjectsAreRevalidatedWith304() async throws {
        try await withCluster { cluster in
            _ = try await cluster.request("/short/a.txt")
            try await Task.sleep(for: .milliseconds(2100))
            let revalidated = try await cluster.request("/short/a.txt")
            #expect(revalidated.status == 200)
            #expect(revalidated.text == "short-lived")
            #expect(revalidated.cacheStatus.contains("fwd=stale"))
            #expect(revalidated.cacheStatus.contains("fwd-status=304"))
            #expect(cluster.origin.requestCount(path: "/short/a.txt") == 2)
        }
    }

    @Test func clientConditionalsAndRangesAreAnsweredFromTheCache() async throws {
        try await withCluster { cluster in
            let first = try await cluster.request("/range/a.txt")
            let etag = try #require(first.headers.first(name: "etag"))
            let notModified = try await cluster.request("/range/a.txt", headers: [("If-None-Match", etag)])
            #expect(notModified.status == 304)
            #expect(notModified.body.isEmpty)
            #expect(notModified.cacheStatus.hasPrefix("edge-test; hit"))
            let partial = try await cluster.request("/range/a.txt", headers: [("Range", "bytes=2-4")])
            #expect(partial.status == 206)
            #expect(partial.text == "234")
            #expect(partial.headers.first(name: "content-range") == "bytes 2-4/10")
            let unsatisfiable = try await cluster.request("/range/a.txt", headers: [("Range", "bytes=50-")])
            #expect(unsatisfiable.status == 416)
            #expect(cluster.origin.requestCount(path: "/range/a.txt") == 1)
        }
    }

    @Test func staleIfErrorServesStaleWhenTheOriginIsDown() async throws {
        try await withCluster { cluster in
            let first = try await cluster.request("/sie/a.txt")
            #expect(first.status == 200)
            try await cluster.origin.stop()
            try await Task.sleep(for: .milliseconds(1100))
            let stale = try await cluster.request("/sie/a.txt")
            #expect(stale.status == 200)
            #expect(stale.text == "stale-if-error content")
            #expect(stale.cacheStatus.contains("fwd=stale"))
            #expect(stale.cacheStatus.contains("stale-if-error"))
        }
    }

    @Test func originDownWithNothingStaleGives502WithADetail() async throws {
        try await withCluster { cluster in
            try await cluster.origin.stop()
            let response = try await cluster.request("/fresh/never-fetched.txt")
            #expect(response.status == 502)
            #expect(response.cacheStatus.contains("detail="))
        }
    }

    @Test func staleWhileRevalidateServesStaleAndRefreshesInTheBackground() async throws {
        try await withCluster { cluster in
            _ = try await cluster.request("/swr/a.txt")
            // max-age=3: long enough that the refreshed copy is still fresh while the test looks at it on a
            // loaded machine (with 1 s it could go stale again and, rightly, be refreshed a second time).
            try await Task.sleep(for: .milliseconds(3100))
            let stale = try await cluster.request("/swr/a.txt")
            #expect(stale.text == "swr content")
            #expect(stale.cacheStatus.contains("stale-while-revalidate"))
            // The refresh happens after the response; give it a moment, then the object is fresh again.
            var refreshed = false
            for _ in 0..<50 where !refreshed {
                try await Task.sleep(for: .milliseconds(50))
                refreshed = cluster.origin.requestCount(path: "/swr/a.txt") == 2
            }
            #expect(refreshed)
            // The origin counts the refresh when it arrives; the edge stores the answer a moment later.
            var fresh = try await cluster.request("/swr/a.txt")
            for _ in 0..<40 where fresh.cacheStatus.contains("stale-while-revalidate") {
                try await Task.sleep(for: .milliseconds(50))
                fresh = try await cluster.request("/swr/a.txt")
            }
            #expect(fresh.cacheStatus.hasPrefix("edge-test; hit"))
            #expect(!fresh.cacheStatus.contains("stale-while-revalidate"))
            #expect(cluster.origin.requestCount(path: "/swr/a.txt") == 2, "one refresh, not one per stale hit")
        }
    }

    @Test func privateSetCookieAndNoStoreResponsesAreNotShared() async throws {
        try await withCluster { cluster in
            for path in ["/private/a.txt", "/cookie/a.txt", "/nostore/a.txt"] {
                let first = try await cluster.request(path)
                #expect(first.status == 200)
                let second = try await cluster.request(path)
                #expect(second.cacheStatus.contains("fwd=miss"), "\(path) must not be served from cache")
                #expect(cluster.origin.requestCount(path: path) == 2, "\(path)")
            }
            // The client that caused the fetch still gets its cookie.
            let cookie = try await cluster.request("/cookie/a.txt")
            #expect(cookie.headers.first(name: "set-cookie") == "session=secret")
        }
    }

    @Test func authorizationRequestsAreNotServedSharedCopies() async throws {
        try await withCluster { cluster in
            // Not stored for a request with Authorization unless the response says public / s-maxage.
            _ = try await cluster.request("/plain/a.txt", headers: [("Authorization", "Bearer x")])
            _ = try await cluster.request("/plain/a.txt")
            #expect(cluster.origin.requestCount(path: "/plain/a.txt") == 2)
            // Nor served from a shared copy to a request with Authorization.
            let withAuth = try await cluster.request("/plain/a.txt", headers: [("Authorization", "Bearer y")])
            #expect(withAuth.cacheStatus.contains("fwd="))
            #expect(cluster.origin.requestCount(path: "/plain/a.txt") == 3)
            // An explicitly public response may be stored and shared.
            _ = try await cluster.request("/fresh/a.txt", headers: [("Authorization", "Bearer x")])
            let shared = try await cluster.request("/fresh/a.txt")
            #expect(shared.cacheStatus.hasPrefix("edge-test; hit"))
        }
    }

    @Test func varyKeepsOneVariantPerLanguage() async throws {
        try await withCluster { cluster in
            _ = try await cluster.request("/vary/a.txt", headers: [("Accept-Language", "en")])
            _ = try await cluster.request("/vary/a.txt", headers: [("Accept-Language", "de")])
            let en = try await cluster.request("/vary/a.txt", headers: [("Accept-Language", "en")])
            let de = try await cluster.request("/vary/a.txt", headers: [("Accept-Language", "de")])
            #expect(en.cacheStatus.hasPrefix("edge-test; hit"))
            #expect(de.cacheStatus.hasPrefix("edge-test; hit"))
            #expect(cluster.origin.requestCount(path: "/vary/a.txt") == 2)
        }
    }

    @Test func requestDirectivesAreHonoured() async throws {
        try await withCluster { cluster in
            let onlyIfCached = try await cluster.request("/fresh/a.txt", headers: [("Cache-Control", "only-if-cached")])
            #expect(onlyIfCached.status == 504)
            _ = try await cluster.request("/fresh/a.txt")
            let noCache = try await cluster.request("/fresh/a.txt", headers: [("Cache-Control", "no-cache")])
            #expect(noCache.cacheStatus.contains("fwd="), "got \(noCache.cacheStatus)")
            #expect(cluster.origin.requestCount(path: "/fresh/a.txt") == 2)
        }
    }

    @Test func unsafeMethodsInvalidateTheURL() async throws {
        try await withCluster { cluster in
            _ = try await cluster.request("/fresh/a.txt")
            let post = try await cluster.request("/fresh/a.txt", method: .POST, body: "x=1")
            #expect(post.status == 405)  // the dev origin only serves GET and HEAD
            let afterFailedPost = try await cluster.request("/fresh/a.txt")
            #expect(afterFailedPost.cacheStatus.hasPrefix("edge-test; hit"), "an error response invalidates nothing")
            #expect(cluster.origin.requestCount(path: "/fresh/a.txt") == 2, "one GET, one POST")

            // A successful unsafe request invalidates the stored response for its URL.
            _ = try await cluster.request("/api/item.json")
            #expect(try await cluster.request("/api/item.json").cacheStatus.hasPrefix("edge-test; hit"))
            for method in [HTTPMethod.PUT, .DELETE, .POST] {
                let write = try await cluster.request("/api/item.json", method: method, body: "{}")
                #expect(write.status == 200)
                #expect(write.cacheStatus.contains("fwd=request"))
                let after = try await cluster.request("/api/item.json")
                #expect(after.cacheStatus.contains("fwd=miss"), "\(method) must invalidate; got \(after.cacheStatus)")
            }
        }
    }

    @Test func aRestartedEdgeServesFromDisk() async throws {
        try await withCluster { cluster in
            _ = try await cluster.request("/fresh/a.txt")
            try await cluster.restartEdge()
            let afterRestart = try await cluster.request("/fresh/a.txt")
            #expect(afterRestart.text == "fresh content")
            #expect(afterRestart.cacheStatus.hasPrefix("edge-test; hit"))
            #expect(cluster.origin.requestCount(path: "/fresh/a.txt") == 1)
        }
    }
}
