import Foundation
import Testing
@testable import EdgeOrigin

@Suite struct StatsTests {
    private struct Stats: Decodable {
        var total: Int
        var paths: [String: Int]
    }

    private func makeSite() throws -> TempSite {
        let site = try TempSite()
        try site.write("a.txt", "a")
        try site.write("b.txt", "b")
        return site
    }

    @Test func countsRequestsPerPath() async throws {
        let site = try makeSite()
        try await withOrigin(site) { origin in
            for _ in 0..<3 { _ = try await origin.fetch("/a.txt") }
            _ = try await origin.fetch("/a.txt?cache-buster=1", method: .HEAD)
            _ = try await origin.fetch("/b.txt")
            _ = try await origin.fetch("/missing.txt")
            _ = try await origin.fetch("/a.txt", method: .POST)
            #expect(origin.server.requestCount(path: "/a.txt") == 5)
            #expect(origin.server.requestCount(path: "/b.txt") == 1)
            #expect(origin.server.requestCount(path: "/missing.txt") == 1)
            #expect(origin.server.requestCount(path: "/never") == 0)
            #expect(origin.server.totalRequests == 7)
        }
    }

    @Test func countsAreThreadSafeUnderConcurrentRequests() async throws {
        let site = try makeSite()
        try await withOrigin(site) { origin in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<40 {
                    group.addTask { try await origin.fetch(index.isMultiple(of: 2) ? "/a.txt" : "/b.txt").status }
                }
                for try await status in group { #expect(status == 200) }
            }
            #expect(origin.server.requestCount(path: "/a.txt") == 20)
            #expect(origin.server.requestCount(path: "/b.txt") == 20)
            #expect(origin.server.totalRequests == 40)
        }
    }

    @Test func statsAndResetOverHTTP() async throws {
        let site = try makeSite()
        try await withOrigin(site) { origin in
            _ = try await origin.fetch("/a.txt")
            _ = try await origin.fetch("/a.txt")
            _ = try await origin.fetch("/b.txt")
            let response = try await origin.fetch("/__origin/stats")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("Cache-Control") == "no-store")
            let stats = try JSONDecoder().decode(Stats.self, from: Data(response.body))
            #expect(stats.total == 3)
            #expect(stats.paths == ["/a.txt": 2, "/b.txt": 1])
            #expect(response.text.contains("\"/a.txt\":2"))

            // The control paths are not counted, whatever the method.
            #expect(try await origin.fetch("/__origin/stats", method: .POST).status == 405)
            let wrongReset = try await origin.fetch("/__origin/reset")
            #expect(wrongReset.status == 405)
            #expect(wrongReset.header("Allow") == "POST")
            #expect(origin.server.totalRequests == 3)

            let reset = try await origin.fetch("/__origin/reset", method: .POST)
            #expect(reset.status == 200)
            #expect(origin.server.totalRequests == 0)
            #expect(origin.server.requestCount(path: "/a.txt") == 0)
            let after = try JSONDecoder().decode(Stats.self, from: Data(try await origin.fetch("/__origin/stats").body))
            #expect(after.total == 0 && after.paths.isEmpty)
        }
    }

    @Test func apiTimeIsGeneratedPerRequestWithRuleHeaders() async throws {
        struct Time: Decodable {
            var now: Int64
            var served: Int
        }
        let site = try makeSite()
        try await withOrigin(site, rules: "match /api/*\n cache-control \"public, max-age=5\"") { origin in
            let first = try await origin.fetch("/api/time")
            let second = try await origin.fetch("/api/time")
            #expect(first.status == 200)
            #expect(first.header("Content-Type") == "application/json")
            #expect(first.header("Cache-Control") == "public, max-age=5")
            #expect(first.header("ETag") != nil)
            #expect(first.header("Last-Modified") != nil)
            let one = try JSONDecoder().decode(Time.self, from: Data(first.body))
            let two = try JSONDecoder().decode(Time.self, from: Data(second.body))
            #expect(one.served == 1 && two.served == 2)
            #expect(abs(one.now - Int64(Date().timeIntervalSince1970)) < 60)
            #expect(first.header("ETag") != second.header("ETag"))
            #expect(origin.server.requestCount(path: "/api/time") == 2)
            let head = try await origin.fetch("/api/time", method: .HEAD)
            #expect(head.status == 200 && head.body.isEmpty)
        }
    }
}
