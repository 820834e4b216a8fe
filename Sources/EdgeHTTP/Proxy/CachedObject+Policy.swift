import EdgeCache
import EdgeCore
import NIOHTTP1

extension CachedObject {
    /// The view of this object that the pure policy reasons about.
    var storedInfo: StoredResponseInfo {
        StoredResponseInfo(headers: headers, status: status, requestTime: requestTime, responseTime: responseTime)
    }

    /// RFC 9111 §3.5: a stored response may answer a request carrying Authorization only when the response said
    /// so explicitly (public, s-maxage or must-revalidate).
    var mayServeAuthorizedRequests: Bool {
        let directives = CacheControl(headers: headers)
        return directives.isPublic || directives.sMaxAge != nil || directives.mustRevalidate
    }

    /// The freshness facts of this object under `policy`, derived once and kept with the object.
    func freshness(_ policy: StoragePolicy) -> StoredFreshness {
        memo.freshness { policy.freshness(of: storedInfo) }
    }

    /// Seconds of freshness left (negative when stale), for Cache-Status `ttl`.
    func remainingTTL(policy: StoragePolicy, now: Double) -> Double {
        freshness(policy).ttl(now: now)
    }
}

/// Purge tags an origin attached to a response: `Surrogate-Key` (Fastly, space-separated) and `Cache-Tag`
/// (Cloudflare, comma-separated). Indexed when the object is stored so a tag purge finds every object carrying it.
enum PurgeTags {
    static func from(_ headers: HTTPHeaders) -> [String] {
        var tags: [String] = []
        for value in headers["surrogate-key"] {
            tags += value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        tags += FieldList.members(of: headers["cache-tag"]).map(String.init)
        var seen = Set<String>()
        return tags.filter { seen.insert($0).inserted }
    }
}
