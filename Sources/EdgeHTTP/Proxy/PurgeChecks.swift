import EdgeCache
import NIOHTTP1
import Synchronization

extension CachedObject {
    /// When the origin produced this copy, as far as this node can tell: the earliest fetch time any tier on the
    /// way reported (`edge-origin-fetched-at`), kept in `generation` as milliseconds; objects stored before that
    /// field was used fall back to their request time.
    public var originFetchedAt: Double {
        generation == 0 ? requestTime : Double(generation) / 1000
    }

    static func generation(forOriginFetch seconds: Double) -> UInt64 {
        seconds.isFinite && seconds > 0 ? UInt64(seconds * 1000) : 0
    }
}

/// What a `PURGE` request on the public listener does (set by the executable: it checks the client's address
/// and runs the cluster-wide purge). Without one, `PURGE` is refused with 405.
public typealias PurgeMethodHandler = @Sendable (_ request: ProxyRequest, _ primaryKey: String) async -> ProxyResponse

/// Holds the handler, settable after the engine is built.
public final class PurgeMethodSlot: Sendable {
    private let handler = Mutex<PurgeMethodHandler?>(nil)

    public init() {}

    public func set(_ newHandler: @escaping PurgeMethodHandler) { handler.withLock { $0 = newHandler } }

    var current: PurgeMethodHandler? { handler.withLock { $0 } }
}

extension ProxyEngine {
    /// The purge ledger's word on a stored object: purged objects are never served, soft-purged ones only after
    /// revalidation (or as stale-if-error).
    func purgeVerdict(_ object: CachedObject) -> PurgeVerdict {
        purgeLedger.verdict(primaryKey: object.primaryKey, tags: object.tags, fetchedAt: object.originFetchedAt)
    }

    /// `PURGE /path` (Varnish and Squid's convention): handed to the executable's handler.
    func respondToPurgeMethod(_ request: ProxyRequest) async -> ProxyResponse {
        guard let handler = purgeMethod.current else {
            return errorResponse(.methodNotAllowed, message: "PURGE is not enabled on this node",
                                 entry: detailEntry("purge disabled"))
        }
        guard let key = cacheKey(for: request) else {
            return errorResponse(.badRequest, message: "malformed request target or a host this node does not serve",
                                 entry: detailEntry("bad request"))
        }
        return await handler(request, key.primary)
    }
}

extension ProxyEngine {
    /// A stored object's current age and remaining freshness under this node's policy (for status reports).
    public func ageAndTTL(of object: CachedObject, now: Double) -> (age: Double, ttl: Double) {
        let age = Freshness.currentAge(responseHeaders: object.headers, requestTime: object.requestTime,
                                       responseTime: object.responseTime, now: now)
        return (age, object.remainingTTL(policy: settings.policy, now: now))
    }
}
