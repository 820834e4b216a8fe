import EdgeCore
import NIOHTTP1

extension StoragePolicy {
    /// Status codes whose semantics this cache implements, for `must-understand` (RFC 9111 §5.2.2.3).
    public static let understoodStatusCodes: Set<Int> =
        HeuristicPolicy.cacheableStatusCodes.union([302, 303, 307])

    /// Decides whether the response to a request may be stored (RFC 9111 §3), and if so what to store.
    ///
    /// Checks run from the cheapest and most common refusal to the rarest, and the first refusal wins, so the
    /// reason names the rule that matters most.
    ///
    /// **What can never be served is not stored.** A response is stored only if some request could later be
    /// answered from it: it has a positive freshness lifetime (explicit, or heuristic from Last-Modified,
    /// §4.2.2), or a validator (ETag or Last-Modified) so a stale copy can be revalidated with a conditional
    /// request (§4.3), or serving it stale is permitted. §4.2.4 allows serving stale only when the origin
    /// permits it; this node's `stale_if_error` / `stale_while_revalidate` defaults stand in for that permission
    /// only on a response the origin made cacheable with an explicit expiration (max-age, s-maxage, Expires —
    /// e.g. `max-age=0`, "stale at once"). A response with no explicit expiration, no heuristic lifetime and no
    /// validator — a plain 404 — was never fresh and cannot be revalidated, so the defaults do not make it
    /// servable: storing it would only write files (at every tier) that each next request refetches over. Its
    /// own `stale-while-revalidate` / `stale-if-error` (RFC 5861) still count: that is the origin's permission.
    ///
    /// - Parameter responseTime: when the response was received (seconds since epoch); it measures Expires and
    ///   heuristic lifetimes of a response without a Date field.
    public func decide(method: String, requestHeaders: HTTPHeaders, status: Int,
                       responseHeaders: HTTPHeaders, responseTime: Double? = nil) -> StorageDecision {
        // Methods are case-sensitive (RFC 9110 §9.1); only GET is cached here. HEAD responses carry no content
        // and a later GET could not be answered from them.
        guard method == "GET" else {
            return .doNotStore(reason: method == "HEAD" ? "HEAD response" : "method \(method)")
        }
        guard status >= 200, status <= 999 else { return .doNotStore(reason: "status \(status) is not final") }
        if status == 206 { return .doNotStore(reason: "partial content") }
        if status == 304 { return .doNotStore(reason: "304 updates a stored response") }

        let requestControl = CacheControl(headers: requestHeaders)
        if requestControl.noStore { return .doNotStore(reason: "request no-store") }

        let directives = self.directives(for: responseHeaders)
        let control = directives.control
        let understood = Self.understoodStatusCodes.contains(status)
        if control.mustUnderstand && !understood {
            return .doNotStore(reason: "must-understand with status \(status)")
        }
        // must-understand overrides no-store for a status the cache understands (§5.2.2.3).
        if control.noStore && !(control.mustUnderstand && understood) {
            return .doNotStore(reason: "response no-store")
        }
        if control.isPrivate { return .doNotStore(reason: "response private") }
        // §3.5: a shared cache may reuse an authenticated response only when the origin says so explicitly.
        if requestHeaders.contains(name: "authorization"),
           !(control.isPublic || control.sMaxAge != nil || control.mustRevalidate) {
            return .doNotStore(reason: "request has Authorization")
        }
        let vary = Vary.fieldNames(responseHeaders)
        if vary == .any { return .doNotStore(reason: "Vary: *") }
        let explicit = directives.hasExplicitExpiration(responseHeaders)
        if !HeuristicPolicy.cacheableStatusCodes.contains(status) && !explicit && !control.isPublic {
            return .doNotStore(reason: "status \(status) without explicit freshness")
        }

        var removed = HopByHop.names(in: responseHeaders)
        removed.formUnion(control.privateFields)
        removed.formUnion(control.noCacheFields)
        if responseHeaders.contains(name: "set-cookie") && !shareSetCookie && !removed.contains("set-cookie") {
            return .doNotStore(reason: "response sets a cookie")
        }

        // Expires and the heuristic are measured from Date, or from the receipt time when Date is missing;
        // with neither, only max-age / s-maxage can be measured and the usefulness check is skipped.
        let lifetime: Double
        let measurable: Bool
        if let reference = responseTime ?? Freshness.dateValue(responseHeaders) {
            lifetime = Freshness.lifetime(response: responseHeaders, directives: directives, status: status,
                                          responseTime: reference, heuristic: heuristic).seconds
            measurable = true
        } else {
            let explicitAge = control.sMaxAge ?? control.maxAge
            lifetime = Double(explicitAge ?? 0)
            measurable = explicitAge != nil
        }
        if measurable && lifetime <= 0 && !Self.hasValidator(responseHeaders)
            && !mayServeStale(directives, explicitExpiration: explicit) {
            return .doNotStore(reason: "no freshness and no validator")
        }
        return .store(StoreInstructions(headers: HopByHop.removing(removed, from: responseHeaders),
                                        varyFields: vary.names, freshnessLifetime: lifetime))
    }

    /// Whether the response has a validator usable in a conditional request (§4.3.1).
    static func hasValidator(_ headers: HTTPHeaders) -> Bool {
        if let etag = headers.first(name: "etag"), EntityTag(parsing: Substring(etag)) != nil { return true }
        if let lastModified = headers.first(name: "last-modified"), HTTPDate.parse(lastModified) != nil {
            return true
        }
        return false
    }

    /// Whether a response without freshness or validator could still be served stale (see `decide`): its own
    /// stale-while-revalidate / stale-if-error always count; this node's defaults only when the origin gave an
    /// explicit expiration.
    func mayServeStale(_ directives: ResponseDirectives, explicitExpiration: Bool) -> Bool {
        guard !directives.forbidsStale else { return false }
        let control = directives.control
        if (control.staleWhileRevalidate ?? 0) > 0 || (control.staleIfError ?? 0) > 0 { return true }
        return explicitExpiration && (staleWhileRevalidateWindow(directives) > 0 || staleIfErrorWindow(directives) > 0)
    }

    func staleWhileRevalidateWindow(_ directives: ResponseDirectives) -> Double {
        directives.control.staleWhileRevalidate.map(Double.init) ?? max(0, defaultStaleWhileRevalidate)
    }

    func staleIfErrorWindow(_ directives: ResponseDirectives) -> Double {
        directives.control.staleIfError.map(Double.init) ?? max(0, defaultStaleIfError)
    }
}
