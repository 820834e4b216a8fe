import EdgeCache
import NIOHTTP1
import Testing

/// A response stored at t0 (request sent and answer received at t0, Date t0) with these extra fields.
func storedAtT0(_ fields: [(String, String)], status: Int = 200, invalidatedAt: Double? = nil) -> StoredResponseInfo {
    StoredResponseInfo(headers: headers([("Date", httpDate(t0))] + fields), status: status, requestTime: t0,
                       responseTime: t0, invalidatedAt: invalidatedAt)
}

@Suite("Serve decisions (RFC 9111 §4, RFC 5861)")
struct ServeDecisionTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let response: [(String, String)]
        var request: [(String, String)] = []
        var invalidatedAt: Double? = nil
        var policy = StoragePolicy()
        let elapsed: Double
        let expected: ServeDecision
        var testDescription: String { name }
    }

    static let maxAge100: [(String, String)] = [("Cache-Control", "max-age=100")]
    static let swr30: [(String, String)] = [("Cache-Control", "max-age=100, stale-while-revalidate=30")]

    static let rows: [Row] = [
        Row(name: "fresh", response: maxAge100, elapsed: 10, expected: .fresh(age: 10, ttl: 90)),
        Row(name: "fresh just stored", response: maxAge100, elapsed: 0, expected: .fresh(age: 0, ttl: 100)),
        Row(name: "stale at exactly the lifetime", response: maxAge100, elapsed: 100, expected: .revalidate(age: 100)),
        Row(name: "stale", response: maxAge100, elapsed: 150, expected: .revalidate(age: 150)),
        Row(name: "Age header counts toward staleness", response: maxAge100 + [("Age", "95")], elapsed: 10,
            expected: .revalidate(age: 105)),
        Row(name: "Age header reduces ttl", response: maxAge100 + [("Age", "40")], elapsed: 10,
            expected: .fresh(age: 50, ttl: 50)),
        // stale-while-revalidate.
        Row(name: "swr inside the window", response: swr30, elapsed: 110,
            expected: .staleWhileRevalidate(age: 110, staleFor: 10)),
        Row(name: "swr at the end of the window", response: swr30, elapsed: 130,
            expected: .staleWhileRevalidate(age: 130, staleFor: 30)),
        Row(name: "swr past the window", response: swr30, elapsed: 131, expected: .revalidate(age: 131)),
        Row(name: "swr does not apply while fresh", response: swr30, elapsed: 50, expected: .fresh(age: 50, ttl: 50)),
        Row(name: "policy default swr", response: maxAge100, policy: StoragePolicy(defaultStaleWhileRevalidate: 20),
            elapsed: 115, expected: .staleWhileRevalidate(age: 115, staleFor: 15)),
        Row(name: "response swr overrides the policy default",
            response: [("Cache-Control", "max-age=100, stale-while-revalidate=5")],
            policy: StoragePolicy(defaultStaleWhileRevalidate: 60), elapsed: 110, expected: .revalidate(age: 110)),
        Row(name: "must-revalidate forbids swr",
            response: [("Cache-Control", "max-age=100, stale-while-revalidate=30, must-revalidate")], elapsed: 110,
            expected: .revalidate(age: 110)),
        Row(name: "proxy-revalidate forbids swr",
            response: [("Cache-Control", "max-age=100, stale-while-revalidate=30, proxy-revalidate")], elapsed: 110,
            expected: .revalidate(age: 110)),
        Row(name: "s-maxage forbids swr (implies proxy-revalidate)",
            response: [("Cache-Control", "s-maxage=100, stale-while-revalidate=30")], elapsed: 110,
            expected: .revalidate(age: 110)),
        Row(name: "CDN-Cache-Control swr is honoured",
            response: [("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=100, stale-while-revalidate=30")],
            elapsed: 110, expected: .staleWhileRevalidate(age: 110, staleFor: 10)),
        // Request and response no-cache.
        Row(name: "request no-cache revalidates a fresh response", response: maxAge100,
            request: [("Cache-Control", "no-cache")], elapsed: 10, expected: .revalidate(age: 10)),
        Row(name: "Pragma: no-cache without Cache-Control", response: maxAge100, request: [("Pragma", "no-cache")],
            elapsed: 10, expected: .revalidate(age: 10)),
        Row(name: "Pragma is ignored when Cache-Control is present", response: maxAge100,
            request: [("Pragma", "no-cache"), ("Cache-Control", "max-stale")], elapsed: 10,
            expected: .fresh(age: 10, ttl: 90)),
        Row(name: "response no-cache revalidates even when fresh",
            response: [("Cache-Control", "no-cache, max-age=100")], elapsed: 10, expected: .revalidate(age: 10)),
        Row(name: "qualified no-cache does not force revalidation",
            response: [("Cache-Control", "no-cache=\"set-cookie\", max-age=100")], elapsed: 10,
            expected: .fresh(age: 10, ttl: 90)),
        // Request max-age / min-fresh.
        Row(name: "request max-age older than allowed", response: maxAge100, request: [("Cache-Control", "max-age=5")],
            elapsed: 10, expected: .revalidate(age: 10)),
        Row(name: "request max-age satisfied", response: maxAge100, request: [("Cache-Control", "max-age=20")],
            elapsed: 10, expected: .fresh(age: 10, ttl: 90)),
        Row(name: "request max-age=0 (reload)", response: maxAge100, request: [("Cache-Control", "max-age=0")],
            elapsed: 1, expected: .revalidate(age: 1)),
        Row(name: "request max-age also blocks swr", response: swr30, request: [("Cache-Control", "max-age=60")],
            elapsed: 110, expected: .revalidate(age: 110)),
        Row(name: "min-fresh not met", response: maxAge100, request: [("Cache-Control", "min-fresh=95")],
            elapsed: 10, expected: .revalidate(age: 10)),
        Row(name: "min-fresh met", response: maxAge100, request: [("Cache-Control", "min-fresh=50")], elapsed: 10,
            expected: .fresh(age: 10, ttl: 90)),
        // Request max-stale.
        Row(name: "max-stale without value", response: maxAge100, request: [("Cache-Control", "max-stale")],
            elapsed: 1000, expected: .staleAllowedByClient(age: 1000)),
        Row(name: "max-stale within its limit", response: maxAge100, request: [("Cache-Control", "max-stale=60")],
            elapsed: 150, expected: .staleAllowedByClient(age: 150)),
        Row(name: "max-stale exceeded", response: maxAge100, request: [("Cache-Control", "max-stale=10")],
            elapsed: 150, expected: .revalidate(age: 150)),
        Row(name: "must-revalidate blocks max-stale",
            response: [("Cache-Control", "max-age=100, must-revalidate")], request: [("Cache-Control", "max-stale")],
            elapsed: 150, expected: .revalidate(age: 150)),
        Row(name: "proxy-revalidate blocks max-stale",
            response: [("Cache-Control", "max-age=100, proxy-revalidate")], request: [("Cache-Control", "max-stale")],
            elapsed: 150, expected: .revalidate(age: 150)),
        Row(name: "s-maxage blocks max-stale", response: [("Cache-Control", "s-maxage=100")],
            request: [("Cache-Control", "max-stale")], elapsed: 150, expected: .revalidate(age: 150)),
        Row(name: "swr is preferred to max-stale", response: swr30, request: [("Cache-Control", "max-stale")],
            elapsed: 110, expected: .staleWhileRevalidate(age: 110, staleFor: 10)),
        Row(name: "max-stale beyond the swr window", response: swr30, request: [("Cache-Control", "max-stale")],
            elapsed: 200, expected: .staleAllowedByClient(age: 200)),
        // Soft purge.
        Row(name: "soft purge makes a fresh response stale", response: maxAge100, invalidatedAt: t0 + 5,
            elapsed: 10, expected: .revalidate(age: 10)),
        Row(name: "soft purge still allows swr from the purge time", response: swr30, invalidatedAt: t0 + 5,
            elapsed: 10, expected: .staleWhileRevalidate(age: 10, staleFor: 5)),
        Row(name: "soft purge in the future has no effect yet", response: maxAge100, invalidatedAt: t0 + 50,
            elapsed: 10, expected: .fresh(age: 10, ttl: 90)),
        // Heuristic and Expires.
        Row(name: "heuristic freshness", response: [("Last-Modified", httpDate(t0 - 1000))], elapsed: 50,
            expected: .fresh(age: 50, ttl: 50)),
        Row(name: "Expires freshness", response: [("Expires", httpDate(t0 + 60))], elapsed: 30,
            expected: .fresh(age: 30, ttl: 30)),
    ]

    @Test(arguments: rows)
    func decision(row: Row) {
        let stored = storedAtT0(row.response, invalidatedAt: row.invalidatedAt)
        let decision = row.policy.evaluate(stored: stored, request: headers(row.request), now: t0 + row.elapsed)
        #expect(decision == row.expected)
    }

    @Test func decisionHelpers() {
        #expect(ServeDecision.fresh(age: 3, ttl: 7).age == 3)
        #expect(ServeDecision.staleWhileRevalidate(age: 4, staleFor: 1).age == 4)
        #expect(ServeDecision.staleAllowedByClient(age: 5).age == 5)
        #expect(ServeDecision.revalidate(age: 6).age == 6)
        #expect(ServeDecision.fresh(age: 0, ttl: 1).canServeStored)
        #expect(ServeDecision.staleAllowedByClient(age: 0).canServeStored)
        #expect(!ServeDecision.revalidate(age: 0).canServeStored)
    }

    @Test func ttlIsNegativeOnceStale() {
        let stored = storedAtT0(ServeDecisionTests.maxAge100)
        let policy = StoragePolicy()
        #expect(policy.ttl(stored: stored, now: t0 + 30) == 70)
        #expect(policy.ttl(stored: stored, now: t0 + 130) == -30)
        #expect(policy.freshnessLifetime(stored: stored) == 100)
        #expect(policy.age(stored: stored, now: t0 + 130) == 130)
    }
}

@Suite("Serving stale on error (RFC 5861 §4)")
struct StaleIfErrorTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let cacheControl: String
        var policy = StoragePolicy()
        var invalidatedAt: Double? = nil
        let elapsed: Double
        let allowed: Bool
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "fresh may always be served", cacheControl: "max-age=100", elapsed: 50, allowed: true),
        Row(name: "stale without a window", cacheControl: "max-age=100", elapsed: 101, allowed: false),
        Row(name: "inside stale-if-error", cacheControl: "max-age=100, stale-if-error=60", elapsed: 130, allowed: true),
        Row(name: "at the end of stale-if-error", cacheControl: "max-age=100, stale-if-error=60", elapsed: 160,
            allowed: true),
        Row(name: "past stale-if-error", cacheControl: "max-age=100, stale-if-error=60", elapsed: 161,
            allowed: false),
        Row(name: "policy default", cacheControl: "max-age=100", policy: StoragePolicy(defaultStaleIfError: 120),
            elapsed: 200, allowed: true),
        Row(name: "policy default exceeded", cacheControl: "max-age=100",
            policy: StoragePolicy(defaultStaleIfError: 120), elapsed: 221, allowed: false),
        Row(name: "response window overrides the default", cacheControl: "max-age=100, stale-if-error=10",
            policy: StoragePolicy(defaultStaleIfError: 600), elapsed: 150, allowed: false),
        Row(name: "must-revalidate forbids", cacheControl: "max-age=100, stale-if-error=60, must-revalidate",
            elapsed: 110, allowed: false),
        Row(name: "proxy-revalidate forbids", cacheControl: "max-age=100, stale-if-error=60, proxy-revalidate",
            elapsed: 110, allowed: false),
        Row(name: "s-maxage forbids", cacheControl: "s-maxage=100, stale-if-error=60", elapsed: 110, allowed: false),
        Row(name: "no-cache forbids even when fresh", cacheControl: "no-cache, max-age=100, stale-if-error=60",
            elapsed: 10, allowed: false),
        Row(name: "must-revalidate forbids the policy default", cacheControl: "max-age=100, must-revalidate",
            policy: StoragePolicy(defaultStaleIfError: 600), elapsed: 110, allowed: false),
        Row(name: "soft-purged inside the window", cacheControl: "max-age=1000, stale-if-error=60",
            invalidatedAt: t0 + 10, elapsed: 50, allowed: true),
        Row(name: "soft-purged past the window", cacheControl: "max-age=1000, stale-if-error=60",
            invalidatedAt: t0 + 10, elapsed: 71, allowed: false),
    ]

    @Test(arguments: rows)
    func staleOnError(row: Row) {
        let stored = storedAtT0([("Cache-Control", row.cacheControl)], invalidatedAt: row.invalidatedAt)
        #expect(row.policy.canServeStaleOnError(stored: stored, now: t0 + row.elapsed) == row.allowed)
    }
}
