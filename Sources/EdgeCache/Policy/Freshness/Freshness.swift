import EdgeCore
import NIOHTTP1

/// Freshness lifetime and age of a response in a shared cache (RFC 9111 §4.2). Pure: every time is an input.
public enum Freshness {
    /// Which rule produced a freshness lifetime; useful in logs and Cache-Status details.
    public enum Source: String, Equatable, Sendable {
        case sMaxAge = "s-maxage"
        case maxAge = "max-age"
        case expires
        case heuristic
        /// No explicit freshness and no heuristic allowed: the response is stale on arrival.
        case none
    }

    /// The freshness lifetime in seconds (§4.2.1), never negative.
    ///
    /// - Parameter responseTime: when the response was received; stands in for a missing or invalid Date, as
    ///   §4.2.1 prescribes for `Expires − Date`.
    public static func lifetime(
        response headers: HTTPHeaders,
        status: Int,
        responseTime: Double,
        heuristic: HeuristicPolicy = HeuristicPolicy(),
        honourCDNCacheControl: Bool = true
    ) -> Double {
        let directives = ResponseDirectives(
            response: headers, targetedFields: honourCDNCacheControl ? ["cdn-cache-control"] : [])
        return lifetime(response: headers, directives: directives, status: status,
                        responseTime: responseTime, heuristic: heuristic).seconds
    }

    /// The lifetime and the rule it came from, given directives already resolved for this cache.
    public static func lifetime(
        response headers: HTTPHeaders,
        directives: ResponseDirectives,
        status: Int,
        responseTime: Double,
        heuristic: HeuristicPolicy
    ) -> (seconds: Double, source: Source) {
        let control = directives.control
        if let sMaxAge = control.sMaxAge { return (Double(sMaxAge), .sMaxAge) }
        if let maxAge = control.maxAge { return (Double(maxAge), .maxAge) }
        let date = dateValue(headers) ?? responseTime
        if directives.honoursExpires, headers.contains(name: "expires") {
            // §5.3: an invalid Expires (notably "0") means "already expired"; so do conflicting duplicates (§4.2.1).
            let values = Set(headers["expires"])
            guard values.count == 1, let text = values.first, let expires = HTTPDate.parse(text) else {
                return (0, .expires)
            }
            return (max(0, Double(expires) - date), .expires)
        }
        // §4.2.2: heuristics only without explicit expiration, for heuristically cacheable codes or `public`.
        guard HeuristicPolicy.cacheableStatusCodes.contains(status) || control.isPublic else { return (0, .none) }
        let lastModified = headers.first(name: "last-modified").flatMap { HTTPDate.parse($0) }.map(Double.init)
        return (heuristic.lifetime(date: date, lastModified: lastModified), .heuristic)
    }

    /// The current age in seconds (§4.2.3): the larger of the apparent age (clock skew) and the Age the upstream
    /// reported plus the request's round trip, plus the time the response has been resident here.
    ///
    /// Negative intervals (a clock stepping back) are clamped to zero so age never shrinks below what was seen.
    public static func currentAge(responseHeaders: HTTPHeaders, requestTime: Double, responseTime: Double,
                                  now: Double) -> Double {
        let ageValue = self.ageValue(responseHeaders) ?? 0
        let dateValue = self.dateValue(responseHeaders) ?? responseTime
        let apparentAge = max(0, responseTime - dateValue)
        let responseDelay = max(0, responseTime - requestTime)
        let correctedAgeValue = ageValue + responseDelay
        let correctedInitialAge = max(apparentAge, correctedAgeValue)
        let residentTime = max(0, now - responseTime)
        return correctedInitialAge + residentTime
    }

    /// The Age field (§5.1): the first member of a list, ignored when not delta-seconds.
    static func ageValue(_ headers: HTTPHeaders) -> Double? {
        guard let first = FieldList.members(of: headers["age"]).first else { return nil }
        return DeltaSeconds.parse(String(first)).map(Double.init)
    }

    static func dateValue(_ headers: HTTPHeaders) -> Double? {
        headers.first(name: "date").flatMap { HTTPDate.parse($0) }.map(Double.init)
    }
}
