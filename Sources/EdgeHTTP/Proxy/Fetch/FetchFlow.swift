import EdgeCache
import EdgeCore
import EdgeUpstream
import NIOCore
import NIOHTTP1

/// The fetch side's state machine, apart from the client side (as Varnish separates `fetch → condfetch →
/// fetchbody → fetchend` from the request steps): one value carries what a fill has learnt, and `step` says
/// what happens next. `FetchDriver.swift` runs it; each step is a function in `Fetch/`, named for it.
struct FetchFlow: Sendable {
    let key: CacheKey
    let variant: String
    /// The request that caused the fill (the coalesced leader's, or the background refresh's).
    let request: ProxyRequest
    /// The stored object being revalidated, if any: its validators go upstream, and it is the fallback when
    /// the upstream fails (stale-if-error).
    let stale: CachedObject?
    /// The coalescing lock this fill publishes to, when other requests may wait for it.
    let lock: FillLock?
    /// Set when the body pump took the lock over (it releases it once the object is stored).
    var lockHandedToPump = false
    var requestTime: Double = 0
    var responseTime: Double = 0
    var step: FetchStep = .fetch

    init(key: CacheKey, variant: String, request: ProxyRequest, stale: CachedObject?, lock: FillLock?) {
        self.key = key
        self.variant = variant
        self.request = request
        self.stale = stale
        self.lock = lock
    }

    /// Tells waiting requests what this fill got (nothing when it fetches alone).
    func publish(_ outcome: InflightFetch<FetchedHead>.Outcome) {
        lock?.fetch.publish(outcome)
    }
}

/// One in-flight fill per key and variant: the lock's key and the fetch that waiting requests read.
struct FillLock: Sendable {
    let key: String
    let fetch: InflightFetch<FetchedHead>
}

/// The fetch side's steps.
enum FetchStep: Sendable {
    /// fetch: ask upstream (with the stale object's validators), unless every upstream is known down.
    case fetch
    /// condfetch: a 304 for the stored object: refresh its headers, serve its body.
    case condFetch(UpstreamResponse, CachedObject)
    /// The storage decision about a response that is not a 304.
    case decide(UpstreamResponse)
    /// fetchbody: a storable response: its body streams to the clients and into the cache (the pump ends
    /// in fetchend: purge check, memory insert, disk write).
    case fetchBody(UpstreamResponse, StoreInstructions, HTTPHeaders)
    /// A response that must not be stored: streamed to this client only.
    case passBody(UpstreamResponse, reason: String, HTTPHeaders)
    /// The upstream failed (or answered 5xx) and the stale object may be served instead.
    case staleOnError(CachedObject, fwdStatus: Int?, reason: String)
    /// The upstream failed and there is nothing to fall back on.
    case failed(UpstreamError)
    /// The response for the client; the client side's `finish` step follows.
    case done(ProxyResponse)
}

/// What the leader of a coalesced fetch tells the clients that waited for it.
struct FetchedHead: Sendable {
    var status: Int
    /// The headers any client may see (what the cache stores: Set-Cookie and `private=` fields removed).
    var sharedHeaders: HTTPHeaders
    var varyFields: [String]
    var variantKey: String
    var upstreamSeconds: Double
    var requestTime: Double
    var responseTime: Double
    /// `true` when the object is being stored (Cache-Status `stored`).
    var stored: Bool
    /// When the origin produced this response, as the tiers report it (see `OriginFetchTime`); what purges
    /// are compared against.
    var originFetchedAt: Double
}
