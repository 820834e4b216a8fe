import EdgeCache
import NIOHTTP1
import Testing

@Suite("Storage decisions (RFC 9111 §3)")
struct StorageDecisionTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        var method = "GET"
        var request: [(String, String)] = []
        var status = 200
        let response: [(String, String)]
        var policy = StoragePolicy()
        /// `nil` when the response must be stored, else a fragment of the refusal reason.
        let refusal: String?
        var testDescription: String { name }
    }

    static let fresh: [(String, String)] = [("Cache-Control", "max-age=60"), ("Date", httpDate(t0))]

    static let rows: [Row] = [
        Row(name: "GET 200 max-age", response: fresh, refusal: nil),
        Row(name: "HEAD is not stored", method: "HEAD", response: fresh, refusal: "HEAD"),
        Row(name: "POST is not stored", method: "POST", response: fresh, refusal: "method POST"),
        Row(name: "methods are case-sensitive", method: "get", response: fresh, refusal: "method get"),
        Row(name: "1xx is not final", status: 103, response: fresh, refusal: "not final"),
        Row(name: "206 is not stored", status: 206, response: fresh, refusal: "partial"),
        Row(name: "304 is not stored", status: 304, response: fresh, refusal: "304"),
        Row(name: "heuristic 200 with Last-Modified",
            response: [("Date", httpDate(t0)), ("Last-Modified", httpDate(t0 - 1000))], refusal: nil),
        Row(name: "heuristic 404 with Last-Modified", status: 404,
            response: [("Date", httpDate(t0)), ("Last-Modified", httpDate(t0 - 1000))], refusal: nil),
        Row(name: "410, 414, 501 are heuristic too", status: 410,
            response: [("Date", httpDate(t0)), ("Last-Modified", httpDate(t0 - 1000))], refusal: nil),
        Row(name: "200 with neither freshness nor validator", response: [("Date", httpDate(t0))],
            refusal: "no freshness and no validator"),
        Row(name: "200 with an ETag only is revalidatable", response: [("ETag", "\"v1\"")], refusal: nil),
        Row(name: "no-cache with an ETag is stored", response: [("Cache-Control", "no-cache"), ("ETag", "\"v1\"")],
            refusal: nil),
        Row(name: "max-age=0 with stale-while-revalidate is stored",
            response: [("Cache-Control", "max-age=0, stale-while-revalidate=30")], refusal: nil),
        Row(name: "max-age=0 and nothing else is useless", response: [("Cache-Control", "max-age=0")],
            refusal: "no freshness"),
        Row(name: "policy stale-if-error keeps max-age=0 useful", response: [("Cache-Control", "max-age=0")],
            policy: StoragePolicy(defaultStaleIfError: 60), refusal: nil),
        Row(name: "a plain 404 is never servable, whatever the stale defaults", status: 404,
            response: [("Date", httpDate(t0)), ("Content-Type", "text/plain")],
            policy: StoragePolicy(defaultStaleIfError: 600, defaultStaleWhileRevalidate: 60),
            refusal: "no freshness and no validator"),
        Row(name: "a 200 without expiration or validator ignores the stale defaults",
            response: [("Date", httpDate(t0))], policy: StoragePolicy(defaultStaleIfError: 600),
            refusal: "no freshness and no validator"),
        Row(name: "a 404 with its own stale-if-error may be served stale", status: 404,
            response: [("Date", httpDate(t0)), ("Cache-Control", "stale-if-error=60")], refusal: nil),
        Row(name: "a 404 with an ETag can be revalidated", status: 404,
            response: [("Date", httpDate(t0)), ("ETag", "\"gone\"")], refusal: nil),
        Row(name: "its own stale-if-error does not override must-revalidate",
            response: [("Date", httpDate(t0)), ("Cache-Control", "max-age=0, must-revalidate, stale-if-error=60")],
            policy: StoragePolicy(defaultStaleIfError: 600), refusal: "no freshness and no validator"),
        Row(name: "302 without explicit freshness", status: 302,
            response: [("Date", httpDate(t0)), ("Last-Modified", httpDate(t0 - 1000))], refusal: "status 302"),
        Row(name: "302 with max-age", status: 302, response: fresh, refusal: nil),
        Row(name: "500 with Expires", status: 500,
            response: [("Date", httpDate(t0)), ("Expires", httpDate(t0 + 30))], refusal: nil),
        Row(name: "307 with public and an ETag", status: 307,
            response: [("Cache-Control", "public"), ("ETag", "\"r\"")], refusal: nil),
        Row(name: "503 without freshness", status: 503, response: [("ETag", "\"x\"")], refusal: "status 503"),
        Row(name: "request no-store", request: [("Cache-Control", "no-store")], response: fresh,
            refusal: "request no-store"),
        Row(name: "response no-store", response: [("Cache-Control", "no-store, max-age=60")],
            refusal: "response no-store"),
        Row(name: "must-understand overrides no-store for a known status",
            response: [("Cache-Control", "must-understand, no-store, max-age=60")], refusal: nil),
        Row(name: "must-understand with an unknown status", status: 299,
            response: [("Cache-Control", "must-understand, no-store, max-age=60")], refusal: "must-understand"),
        Row(name: "private", response: [("Cache-Control", "private, max-age=60")], refusal: "private"),
        Row(name: "qualified private is stored", response: [("Cache-Control", "private=\"X-User\", max-age=60")],
            refusal: nil),
        Row(name: "Authorization without permission", request: [("Authorization", "Bearer t")], response: fresh,
            refusal: "Authorization"),
        Row(name: "Authorization with public", request: [("Authorization", "Bearer t")],
            response: [("Cache-Control", "public, max-age=60")], refusal: nil),
        Row(name: "Authorization with s-maxage", request: [("Authorization", "Bearer t")],
            response: [("Cache-Control", "s-maxage=60")], refusal: nil),
        Row(name: "Authorization with must-revalidate", request: [("Authorization", "Bearer t")],
            response: [("Cache-Control", "must-revalidate, max-age=60")], refusal: nil),
        Row(name: "Set-Cookie", response: fresh + [("Set-Cookie", "id=1")], refusal: "cookie"),
        Row(name: "Set-Cookie with no-cache=\"set-cookie\"",
            response: [("Cache-Control", "no-cache=\"Set-Cookie\", max-age=60"), ("Set-Cookie", "id=1")],
            refusal: nil),
        Row(name: "Set-Cookie with private=\"set-cookie\"",
            response: [("Cache-Control", "max-age=60, private=set-cookie"), ("Set-Cookie", "id=1")], refusal: nil),
        Row(name: "Set-Cookie shared by policy", response: fresh + [("Set-Cookie", "id=1")],
            policy: StoragePolicy(shareSetCookie: true), refusal: nil),
        Row(name: "Vary: *", response: fresh + [("Vary", "*")], refusal: "Vary: *"),
        Row(name: "CDN-Cache-Control permits what Cache-Control forbids",
            response: [("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=60")], refusal: nil),
        Row(name: "CDN-Cache-Control no-store", response: fresh + [("CDN-Cache-Control", "no-store")],
            refusal: "no-store"),
        Row(name: "CDN-Cache-Control private", response: fresh + [("CDN-Cache-Control", "private")],
            refusal: "private"),
        Row(name: "Cache-Control no-store when CDN-Cache-Control is not honoured",
            response: [("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=60")],
            policy: StoragePolicy(honourCDNCacheControl: false), refusal: "no-store"),
        Row(name: "a custom targeted field comes first",
            response: [("Edge-Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=60")],
            policy: StoragePolicy(targetedFields: ["edge-cache-control", "cdn-cache-control"]), refusal: "no-store"),
    ]

    @Test(arguments: rows)
    func decision(row: Row) {
        let decision = row.policy.decide(method: row.method, requestHeaders: headers(row.request),
                                         status: row.status, responseHeaders: headers(row.response),
                                         responseTime: t0)
        switch (decision, row.refusal) {
        case (.store, nil):
            break
        case (.doNotStore(let reason), let expected?):
            #expect(reason.contains(expected), "reason was \(reason)")
        default:
            Issue.record("unexpected decision \(decision)")
        }
    }

    private func instructions(_ decision: StorageDecision) throws -> StoreInstructions {
        guard case .store(let instructions) = decision else {
            throw DecisionError.notStored(decision)
        }
        return instructions
    }

    enum DecisionError: Error { case notStored(StorageDecision) }

    @Test func hopByHopFieldsAreNotStored() throws {
        let response = headers(("Cache-Control", "max-age=60"), ("Connection", "close, X-Hop"), ("Keep-Alive", "5"),
                               ("Transfer-Encoding", "chunked"), ("X-Hop", "1"), ("Proxy-Authenticate", "Basic"),
                               ("Content-Type", "text/plain"), ("ETag", "\"a\""))
        let stored = try instructions(StoragePolicy().decide(method: "GET", requestHeaders: HTTPHeaders(), status: 200,
                                                             responseHeaders: response))
        for name in ["connection", "keep-alive", "transfer-encoding", "x-hop", "proxy-authenticate"] {
            #expect(!stored.headers.contains(name: name), "\(name) was stored")
        }
        #expect(stored.headers["content-type"] == ["text/plain"])
        #expect(stored.headers["etag"] == ["\"a\""])
        #expect(stored.headers["cache-control"] == ["max-age=60"])
    }

    @Test func qualifiedFieldsAreRemoved() throws {
        let response = headers(("Cache-Control", "max-age=60, private=\"X-User\", no-cache=\"Set-Cookie, X-Token\""),
                               ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-User", "alice"), ("X-Token", "t"),
                               ("X-Other", "kept"))
        let stored = try instructions(StoragePolicy().decide(method: "GET", requestHeaders: HTTPHeaders(), status: 200,
                                                             responseHeaders: response))
        #expect(!stored.headers.contains(name: "set-cookie"))
        #expect(!stored.headers.contains(name: "x-user"))
        #expect(!stored.headers.contains(name: "x-token"))
        #expect(stored.headers["x-other"] == ["kept"])
    }

    @Test func sharedSetCookieIsKeptUnlessQualified() throws {
        let policy = StoragePolicy(shareSetCookie: true)
        let plain = try instructions(policy.decide(method: "GET", requestHeaders: HTTPHeaders(), status: 200,
                                                   responseHeaders: headers(("Cache-Control", "max-age=60"),
                                                                            ("Set-Cookie", "a=1"))))
        #expect(plain.headers["set-cookie"] == ["a=1"])
        // private="set-cookie" is a MUST for a shared cache, whatever the policy says.
        let qualified = try instructions(policy.decide(
            method: "GET", requestHeaders: HTTPHeaders(), status: 200,
            responseHeaders: headers(("Cache-Control", "max-age=60, private=\"set-cookie\""), ("Set-Cookie", "a=1"))))
        #expect(!qualified.headers.contains(name: "set-cookie"))
    }

    @Test func varyFieldsAndLifetimeAreReported() throws {
        let response = headers(("Cache-Control", "s-maxage=120, max-age=10"), ("Vary", "Accept-Encoding, Accept"),
                               ("Vary", "accept-encoding"))
        let stored = try instructions(StoragePolicy().decide(method: "GET", requestHeaders: HTTPHeaders(), status: 200,
                                                             responseHeaders: response))
        #expect(stored.varyFields == ["accept", "accept-encoding"])
        #expect(stored.freshnessLifetime == 120)
        #expect(stored.headers["vary"].count == 2)
    }

    @Test func expiresWithoutDateIsMeasuredFromReceipt() throws {
        let response = headers(("Expires", httpDate(t0 + 90)))
        let stored = try instructions(StoragePolicy().decide(method: "GET", requestHeaders: HTTPHeaders(), status: 200,
                                                             responseHeaders: response, responseTime: t0))
        #expect(stored.freshnessLifetime == 90)
        // Without any reference time Expires cannot be measured, but the response is still stored.
        #expect(StoragePolicy().decide(method: "GET", requestHeaders: HTTPHeaders(), status: 200,
                                       responseHeaders: response).isStore)
    }

    @Test func expiredExpiresWithoutValidatorIsNotStored() {
        let response = headers(("Date", httpDate(t0)), ("Expires", "0"))
        let decision = StoragePolicy().decide(method: "GET", requestHeaders: HTTPHeaders(), status: 200,
                                              responseHeaders: response)
        #expect(decision == .doNotStore(reason: "no freshness and no validator"))
    }
}
