import Foundation
import EdgeCore
import Testing
@testable import EdgeOrigin

@Suite struct ConditionalServingTests {
    static let modified: Int64 = 1_650_000_000
    static let body = (0..<100).map { String(format: "%02d", $0 % 100) }.joined()  // 200 bytes

    private func withSite(_ rules: String? = nil, _ body: (Origin) async throws -> Void) async throws {
        let site = try TempSite()
        try site.write("f.txt", Self.body, modified: Self.modified)
        try await withOrigin(site, rules: rules) { origin in try await body(origin) }
    }

    @Test func ifNoneMatchGives304() async throws {
        try await withSite("match /f.txt\n cache-control \"public, max-age=60\"\n header Vary \"Accept-Language\"") { origin in
            let first = try await origin.fetch("/f.txt")
            let etag = try #require(first.header("ETag"))
            let again = try await origin.fetch("/f.txt", headers: [("If-None-Match", etag)])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            #expect(again.header("ETag") == etag)
            #expect(again.header("Cache-Control") == "public, max-age=60")
            #expect(again.header("Vary") == "Accept-Language")
            #expect(again.header("Date") != nil)
            let other = try await origin.fetch("/f.txt", headers: [("If-None-Match", "\"nope\"")])
            #expect(other.status == 200)
            let any = try await origin.fetch("/f.txt", method: .HEAD, headers: [("If-None-Match", "*")])
            #expect(any.status == 304)
        }
    }

    @Test func ifModifiedSinceGives304() async throws {
        try await withSite { origin in
            let same = try await origin.fetch("/f.txt", headers: [("If-Modified-Since", HTTPDate.format(Self.modified))])
            #expect(same.status == 304)
            let older = try await origin.fetch("/f.txt", headers: [("If-Modified-Since", HTTPDate.format(Self.modified - 60))])
            #expect(older.status == 200)
            #expect(older.text == Self.body)
        }
    }

    @Test func failedPreconditionsGive412() async throws {
        try await withSite { origin in
            let ifMatch = try await origin.fetch("/f.txt", headers: [("If-Match", "\"other\"")])
            #expect(ifMatch.status == 412)
            let etag = try #require(try await origin.fetch("/f.txt").header("ETag"))
            #expect(try await origin.fetch("/f.txt", headers: [("If-Match", etag)]).status == 200)
            let unmodified = try await origin.fetch(
                "/f.txt", headers: [("If-Unmodified-Since", HTTPDate.format(Self.modified - 1))])
            #expect(unmodified.status == 412)
        }
    }

    @Test func rangeGives206() async throws {
        try await withSite { origin in
            let part = try await origin.fetch("/f.txt", headers: [("Range", "bytes=10-19")])
            #expect(part.status == 206)
            #expect(part.text == String(Array(Self.body)[10...19]))
            #expect(part.header("Content-Range") == "bytes 10-19/200")
            #expect(part.header("Content-Length") == "10")
            let tail = try await origin.fetch("/f.txt", headers: [("Range", "bytes=-3")])
            #expect(tail.text == String(Self.body.suffix(3)))
            let open = try await origin.fetch("/f.txt", headers: [("Range", "bytes=190-")])
            #expect(open.header("Content-Range") == "bytes 190-199/200")
            #expect(open.body.count == 10)
        }
    }

    @Test func unsatisfiableRangeGives416() async throws {
        try await withSite { origin in
            let response = try await origin.fetch("/f.txt", headers: [("Range", "bytes=500-600")])
            #expect(response.status == 416)
            #expect(response.header("Content-Range") == "bytes */200")
        }
    }

    @Test func ifRangeIsHonoured() async throws {
        try await withSite { origin in
            let etag = try #require(try await origin.fetch("/f.txt").header("ETag"))
            let current = try await origin.fetch("/f.txt", headers: [("Range", "bytes=0-4"), ("If-Range", etag)])
            #expect(current.status == 206)
            #expect(current.body.count == 5)
            let stale = try await origin.fetch("/f.txt", headers: [("Range", "bytes=0-4"), ("If-Range", "\"old\"")])
            #expect(stale.status == 200)
            #expect(stale.text == Self.body)
            let byDate = try await origin.fetch(
                "/f.txt", headers: [("Range", "bytes=0-4"), ("If-Range", HTTPDate.format(Self.modified))])
            #expect(byDate.status == 206)
        }
    }
}
