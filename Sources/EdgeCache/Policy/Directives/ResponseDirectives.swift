import NIOHTTP1

/// The cache directives that govern a stored response for this cache, after RFC 9213 targeting.
///
/// When a targeted field such as `CDN-Cache-Control` carries directives, RFC 9213 §2.2 says it alone decides
/// the caching policy and both Cache-Control and Expires are ignored; origins use this to give the CDN a long
/// lifetime while browsers get `no-store`. Computing it in one place keeps freshness, storage and serving
/// decisions from disagreeing about which field won.
public struct ResponseDirectives: Equatable, Sendable {
    public var control: CacheControl
    /// The lowercased name of the targeted field in use, or `nil` when Cache-Control applies.
    public var targetedField: String?

    /// Whether `Expires` may be consulted: not when a targeted field decides.
    public var honoursExpires: Bool { targetedField == nil }

    public init(control: CacheControl, targetedField: String? = nil) {
        self.control = control
        self.targetedField = targetedField
    }

    /// Picks the first targeted field (in `targetedFields` order) that is a valid Dictionary with at least one
    /// directive, else Cache-Control. A targeted field that fails to parse, or gives a directive the wrong type,
    /// is ignored as if absent (RFC 9213 §2.1; see `TargetedCacheControl`).
    public init(response headers: HTTPHeaders, targetedFields: [String]) {
        for field in targetedFields where headers.contains(name: field) {
            if let control = TargetedCacheControl.parse(lines: headers[field]) {
                self.init(control: control, targetedField: field.lowercased())
                return
            }
        }
        self.init(control: CacheControl(headers: headers), targetedField: nil)
    }

    /// Whether the response carries explicit expiration (§4.2.1) that this cache honours.
    func hasExplicitExpiration(_ headers: HTTPHeaders) -> Bool {
        control.sMaxAge != nil || control.maxAge != nil || (honoursExpires && headers.contains(name: "expires"))
    }

    /// §4.2.4: a stale response must not be served without validation when the origin forbids it; for a shared
    /// cache s-maxage carries proxy-revalidate's meaning (§5.2.2.10).
    var forbidsStale: Bool {
        control.mustRevalidate || control.proxyRevalidate || control.sMaxAge != nil || control.noCache
    }
}
