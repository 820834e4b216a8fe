import EdgeUpstream
import Foundation
import Testing

/// RFC 9111 §5.3 / RFC 9110 §5.6.7 (HTTP-date) and RFC 9213 (CDN-Cache-Control as a Structured Field) through a
/// running edge.
@Suite("HTTP-dates and CDN-Cache-Control through a running edge")
struct DateAndTargetedFieldTests {
    static let rules = #"""
        match /expires/valid/*
          header Expires "Fri, 01 Jan 2100 00:00:00 GMT"
        match /expires/no-comma/*
          header Expires "Fri 01 Jan 2100 00:00:00 GMT"
        match /expires/dashes/*
          header Expires "Fri, 01-Jan-2100 00:00:00 GMT"
        match /expires/one-digit-hour/*
          header Expires "Fri, 01 Jan 2100 0:00:00 GMT"
        match /expires/doubled-space/*
          header Expires "Fri,  01 Jan 2100 00:00:00 GMT"
        match /expires/lowercase-zone/*
          header Expires "Fri, 01 Jan 2100 00:00:00 gmt"
        match /expires/zero/*
          header Expires "0"
        match /cdn/valid/*
          cache-control "no-store"
          header CDN-Cache-Control "max-age=600"
        match /cdn/spaces/*
          cache-control "no-store"
          header CDN-Cache-Control "max-age = 600"
        match /cdn/string/*
          cache-control "no-store"
          header CDN-Cache-Control "max-age=\"600\""
        match /cdn/uppercase/*
          cache-control "no-store"
          header CDN-Cache-Control "MAX-AGE=600"
        match /cdn/decimal/*
          cache-control "no-store"
          header CDN-Cache-Control "max-age=600.0"
        match /cdn/invalid-falls-back/*
          cache-control "public, max-age=600"
          header CDN-Cache-Control "no-store=?0"
        """#

    static let files: [String: String] = [
        "expires/valid/a.txt": "a", "expires/no-comma/a.txt": "a", "expires/dashes/a.txt": "a",
        "expires/one-digit-hour/a.txt": "a", "expires/doubled-space/a.txt": "a", "expires/lowercase-zone/a.txt": "a",
        "expires/zero/a.txt": "a", "cdn/valid/a.txt": "a", "cdn/spaces/a.txt": "a", "cdn/string/a.txt": "a",
        "cdn/uppercase/a.txt": "a", "cdn/decimal/a.txt": "a", "cdn/invalid-falls-back/a.txt": "a",
    ]

    func withCluster(_ body: (TestCluster) async throws -> Void) async throws {
        let cluster = try await TestCluster.start(files: Self.files, rules: Self.rules)
        do { try await body(cluster) } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    @Test func aValidExpiresInTheFutureIsAHit() async throws {
        try await withCluster { cluster in
            _ = try await cluster.request("/expires/valid/a.txt")
            let second = try await cluster.request("/expires/valid/a.txt")
            #expect(second.cacheStatus.hasPrefix("edge-test; hit"), "\(second.cacheStatus)")
            #expect(cluster.origin.requestCount(path: "/expires/valid/a.txt") == 1)
        }
    }

    /// An Expires that is not an HTTP-date is in the past: the response is stored (it has validators) but every
    /// later request revalidates it.
    @Test("an invalid Expires is already expired: stored, then revalidated",
          arguments: ["no-comma", "dashes", "one-digit-hour", "doubled-space", "lowercase-zone", "zero"])
    func invalidExpiresIsStale(_ form: String) async throws {
        try await withCluster { cluster in
            let path = "/expires/\(form)/a.txt"
            let first = try await cluster.request(path)
            #expect(first.status == 200)
            #expect(first.cacheStatus.contains("; stored"), "\(first.cacheStatus)")
            let second = try await cluster.request(path)
            #expect(second.status == 200)
            #expect(second.cacheStatus.contains("fwd=stale"), "\(form): \(second.cacheStatus)")
            #expect(cluster.origin.requestCount(path: path) == 2)
        }
    }

    @Test func aValidCDNCacheControlOverridesCacheControl() async throws {
        try await withCluster { cluster in
            let first = try await cluster.request("/cdn/valid/a.txt")
            #expect(first.cacheStatus.contains("; stored"))
            let second = try await cluster.request("/cdn/valid/a.txt")
            #expect(second.cacheStatus.hasPrefix("edge-test; hit"), "\(second.cacheStatus)")
        }
    }

    /// The field fails to parse, or max-age is not an Integer: CDN-Cache-Control is ignored and Cache-Control's
    /// no-store applies.
    @Test("an invalid CDN-Cache-Control is ignored and Cache-Control applies",
          arguments: ["spaces", "string", "uppercase", "decimal"])
    func invalidTargetedFieldIsIgnored(_ form: String) async throws {
        try await withCluster { cluster in
            let path = "/cdn/\(form)/a.txt"
            let first = try await cluster.request(path)
            #expect(first.status == 200)
            #expect(!first.cacheStatus.contains("; stored"), "\(form): \(first.cacheStatus)")
            let second = try await cluster.request(path)
            #expect(second.cacheStatus.contains("fwd=miss"), "\(form): \(second.cacheStatus)")
            #expect(cluster.origin.requestCount(path: path) == 2)
        }
    }

    @Test func aWronglyTypedNoStoreLeavesCacheControlsLifetime() async throws {
        try await withCluster { cluster in
            _ = try await cluster.request("/cdn/invalid-falls-back/a.txt")
            let second = try await cluster.request("/cdn/invalid-falls-back/a.txt")
            #expect(second.cacheStatus.hasPrefix("edge-test; hit"), "\(second.cacheStatus)")
        }
    }

    /// A Date that is not an HTTP-date is treated as absent (the receipt time): it neither ages the response nor
    /// shows in Age.
    @Test func anInvalidDateDoesNotSkewAge() async throws {
        let origin = try ScriptedOrigin { _ in
            .init(headers: [("Cache-Control", "public, max-age=300"), ("Date", "Sun 06 Nov 1994 08:49:37 GMT")],
                  body: "dated")
        }
        let cluster = try await TestCluster.start(rules: "") { settings in
            settings.origins = [Upstream(name: "scripted", host: "127.0.0.1", port: origin.port)]
        }
        defer { origin.stop() }
        do {
            let first = try await cluster.request("/dated")
            #expect(first.status == 200)
            #expect(Int(first.headers.first(name: "age") ?? "") ?? 1_000 <= 2)
            let second = try await cluster.request("/dated")
            #expect(second.cacheStatus.hasPrefix("edge-test; hit"), "\(second.cacheStatus)")
            #expect(Int(second.headers.first(name: "age") ?? "") ?? 1_000 <= 2)
            #expect(origin.requests.count == 1)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }
}
