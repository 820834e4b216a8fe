import EdgeCache
import EdgeCore
import NIOHTTP1
import Testing

@Suite("Revalidation requests (RFC 9111 §4.3.1)")
struct RevalidationHeadersTests {
    @Test func bothValidators() {
        let stored = storedAtT0([("ETag", "\"v1\""), ("Last-Modified", httpDate(t0 - 100))])
        let conditional = StoragePolicy().revalidationHeaders(stored: stored)
        #expect(conditional["if-none-match"] == ["\"v1\""])
        #expect(conditional["if-modified-since"] == [httpDate(t0 - 100)])
        #expect(conditional.count == 2)
    }

    @Test func weakETagIsUsedForIfNoneMatch() {
        let stored = storedAtT0([("ETag", " W/\"v2\" ")])
        let conditional = StoragePolicy().revalidationHeaders(stored: stored)
        #expect(conditional["if-none-match"] == ["W/\"v2\""])
        #expect(!conditional.contains(name: "if-modified-since"))
    }

    @Test func malformedValidatorsAreNotSent() {
        let stored = storedAtT0([("ETag", "unquoted"), ("Last-Modified", "last tuesday")])
        #expect(StoragePolicy().revalidationHeaders(stored: stored).isEmpty)
    }

    @Test func noValidators() {
        #expect(StoragePolicy().revalidationHeaders(stored: storedAtT0([("Cache-Control", "max-age=1")])).isEmpty)
    }
}

@Suite("Updating stored headers from a 304 (RFC 9111 §3.2, §4.3.4)")
struct HeaderUpdateTests {
    static let stored = headers(
        ("Date", httpDate(t0)), ("Age", "30"), ("Cache-Control", "max-age=60"), ("ETag", "\"v1\""),
        ("Content-Type", "text/html"), ("Content-Length", "1234"), ("Content-Encoding", "gzip"),
        ("X-Old", "kept"), ("Link", "</a>; rel=preload"))

    @Test func fieldsInThe304ReplaceStoredOnes() {
        let update = headers(("Date", httpDate(t0 + 500)), ("Cache-Control", "max-age=300"), ("ETag", "\"v1\""),
                             ("X-New", "added"), ("Link", "</b>; rel=preload"), ("Link", "</c>; rel=preload"))
        let merged = HeaderUpdate.merge(stored: Self.stored, from304: update)
        #expect(merged["cache-control"] == ["max-age=300"])
        #expect(merged["date"] == [httpDate(t0 + 500)])
        #expect(merged["etag"] == ["\"v1\""])
        #expect(merged["x-new"] == ["added"])
        #expect(merged["x-old"] == ["kept"])
        #expect(merged["link"] == ["</b>; rel=preload", "</c>; rel=preload"])
        #expect(merged["content-type"] == ["text/html"])
    }

    @Test func storedBodyDescriptionIsNotUpdated() {
        let update = headers(("Content-Length", "0"), ("Content-Encoding", "br"), ("Content-Range", "bytes 0-1/2"),
                             ("Transfer-Encoding", "chunked"), ("Set-Cookie", "s=1"))
        let merged = HeaderUpdate.merge(stored: Self.stored, from304: update)
        #expect(merged["content-length"] == ["1234"])
        #expect(merged["content-encoding"] == ["gzip"])
        #expect(!merged.contains(name: "content-range"))
        #expect(!merged.contains(name: "transfer-encoding"))
        #expect(!merged.contains(name: "set-cookie"))
    }

    @Test func connectionSpecificFieldsAreNotMerged() {
        let update = headers(("Connection", "keep-alive, X-Hop"), ("Keep-Alive", "timeout=5"), ("X-Hop", "1"),
                             ("X-Real", "2"))
        let merged = HeaderUpdate.merge(stored: Self.stored, from304: update)
        #expect(!merged.contains(name: "connection"))
        #expect(!merged.contains(name: "keep-alive"))
        #expect(!merged.contains(name: "x-hop"))
        #expect(merged["x-real"] == ["2"])
    }

    @Test func ageAndDateAreResetByTheRevalidation() {
        let merged = HeaderUpdate.merge(stored: Self.stored, from304: headers(("ETag", "\"v1\"")))
        #expect(!merged.contains(name: "age"))
        #expect(!merged.contains(name: "date"))
        let dated = HeaderUpdate.merge(stored: Self.stored, from304: headers(("ETag", "\"v1\"")),
                                       receivedAt: t0 + 900)
        #expect(dated["date"] == [httpDate(t0 + 900)])
        let withAge = HeaderUpdate.merge(stored: Self.stored, from304: headers(("Age", "4")), receivedAt: t0 + 900)
        #expect(withAge["age"] == ["4"])
        let badClock = HeaderUpdate.merge(stored: Self.stored, from304: HTTPHeaders(), receivedAt: .infinity)
        #expect(!badClock.contains(name: "date"))
    }

    /// The whole cycle: stale entry, 304, merged header with new times → fresh again with the 304's lifetime.
    @Test func refreshedEntryIsFreshAgain() {
        let policy = StoragePolicy()
        let stale = StoredResponseInfo(headers: Self.stored, status: 200, requestTime: t0, responseTime: t0)
        #expect(policy.evaluate(stored: stale, request: HTTPHeaders(), now: t0 + 500) == .revalidate(age: 530))
        let update = headers(("Date", httpDate(t0 + 501)), ("Cache-Control", "max-age=300"))
        let refreshed = StoredResponseInfo(
            headers: policy.headersAfterRevalidation(stored: Self.stored, from304: update, receivedAt: t0 + 501),
            status: 200, requestTime: t0 + 500, responseTime: t0 + 501)
        #expect(policy.evaluate(stored: refreshed, request: HTTPHeaders(), now: t0 + 511)
            == .fresh(age: 11, ttl: 289))
    }

    @Test func policyMergeDropsFieldsItWouldNotStore() {
        let update = headers(("Cache-Control", "max-age=60, private=\"X-User\""), ("X-User", "bob"))
        let stored = headers(("Cache-Control", "max-age=60"), ("Set-Cookie", "legacy=1"), ("X-Keep", "1"))
        let merged = StoragePolicy().headersAfterRevalidation(stored: stored, from304: update, receivedAt: t0)
        #expect(!merged.contains(name: "x-user"))
        #expect(!merged.contains(name: "set-cookie"))
        #expect(merged["x-keep"] == ["1"])
        let sharing = StoragePolicy(shareSetCookie: true)
        #expect(sharing.headersAfterRevalidation(stored: stored, from304: update, receivedAt: t0)["set-cookie"]
            == ["legacy=1"])
    }
}
