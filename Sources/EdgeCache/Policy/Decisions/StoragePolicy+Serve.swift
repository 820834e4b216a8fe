import EdgeCore
import NIOHTTP1

extension StoragePolicy {
    /// Decides how a request can be answered from a stored response (RFC 9111 §4, RFC 5861).
    ///
    /// Order matters: explicit demands for validation (request or response `no-cache`) come first; then the
    /// client's own limits (`max-age`, `min-fresh`), which no origin permission can override; then freshness;
    /// and only for a stale response the permissions to serve it stale — which must-revalidate,
    /// proxy-revalidate and s-maxage withdraw (§4.2.4). A stale-while-revalidate window is preferred to the
    /// client's max-stale because it also refreshes the entry.
    ///
    /// `only-if-cached` is not handled here: it concerns what to do when this returns `.revalidate`.
    public func evaluate(stored: StoredResponseInfo, request: HTTPHeaders, now: Double) -> ServeDecision {
        evaluate(freshness(of: stored), request: request, now: now)
    }

    /// `evaluate(stored:request:now:)` on freshness facts derived beforehand (the hit path keeps them with the
    /// object instead of re-parsing its headers per request).
    public func evaluate(_ stored: StoredFreshness, request: HTTPHeaders, now: Double) -> ServeDecision {
        let directives = stored.directives
        let requestControl = Self.requestDirectives(request)
        let age = stored.age(now: now)
        let ttl = stored.ttl(now: now)

        if requestControl.noCache || directives.control.noCache { return .revalidate(age: age) }
        if let maxAge = requestControl.maxAge, age > Double(maxAge) { return .revalidate(age: age) }
        if let minFresh = requestControl.minFresh, ttl < Double(minFresh) { return .revalidate(age: age) }
        if ttl > 0 { return .fresh(age: age, ttl: ttl) }

        guard !directives.forbidsStale else { return .revalidate(age: age) }
        let staleness = -ttl
        let window = staleWhileRevalidateWindow(directives)
        if window > 0 && staleness <= window { return .staleWhileRevalidate(age: age, staleFor: staleness) }
        if let maxStale = requestControl.maxStale, maxStale.permits(staleness: staleness) {
            return .staleAllowedByClient(age: age)
        }
        return .revalidate(age: age)
    }

    /// Whether the stored response may answer a request whose upstream fetch or revalidation failed
    /// (RFC 5861 §4): a fresh response always may; a stale one within its stale-if-error window (or the
    /// policy default), unless the origin required validation (must-revalidate, proxy-revalidate, s-maxage,
    /// no-cache), in which case §5.2.2.2 demands an error instead.
    public func canServeStaleOnError(stored: StoredResponseInfo, now: Double) -> Bool {
        canServeStaleOnError(freshness(of: stored), now: now)
    }

    public func canServeStaleOnError(_ stored: StoredFreshness, now: Double) -> Bool {
        let directives = stored.directives
        guard !directives.forbidsStale else { return false }
        let ttl = stored.ttl(now: now)
        if ttl > 0 { return true }
        let window = staleIfErrorWindow(directives)
        return window > 0 && -ttl <= window
    }

    /// The request's cache directives, with `Pragma: no-cache` read as `Cache-Control: no-cache` when the
    /// request has no Cache-Control at all (§5.4), as HTTP/1.0 clients still send it.
    public static func requestDirectives(_ request: HTTPHeaders) -> CacheControl {
        var control = CacheControl(headers: request)
        if !request.contains(name: "cache-control"),
           FieldList.members(of: request["pragma"]).contains(where: { $0.lowercased() == "no-cache" }) {
            control.noCache = true
        }
        return control
    }
}
