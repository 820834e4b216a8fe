import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

/// One request on its way through the proxy: what it has learnt so far and the step it is at.
///
/// The event-loop fast path (`ProxyEngine.begin`) and the async driver (`ProxyEngine.run`) share this value, so
/// what the fast path computed (key, variant) is not computed again when it hands the request over. Each step
/// reads what earlier steps learnt and names the step that follows; the driver (FlowDriver.swift) only dispatches.
/// Varnish's REQ_STEPS in miniature (see ../shared/design/PIPELINE.md).
public struct ProxyFlow: Sendable {
    /// The steps, in the order a request usually takes them. Every path ends in `finish`.
    public enum Step: Sendable {
        /// Loop detection, the PURGE method, the request filter (admission and cache key).
        case recv
        /// Variant selection, memory then disk lookup, purge verdict, freshness verdict.
        case lookup
        /// A stored object the freshness verdict lets us serve (fresh, stale allowed, stale-while-revalidate).
        case hit(StoredHit)
        /// Nothing usable is stored: fetch (coalesced) and store.
        case miss
        /// A stored object that must be revalidated (expired, or soft-purged) before it is served.
        case revalidate(CachedObject)
        /// Not cacheable by method: forwarded as is.
        case pass
        /// The response is decided: stamp the last things every response carries and leave.
        case finish(ProxyResponse)
    }

    /// A servable stored object, where it was found, and why it may be served.
    public struct StoredHit: Sendable {
        var object: CachedObject
        var tier: TierHit
        var decision: ServeDecision
    }

    public internal(set) var request: ProxyRequest
    public internal(set) var step: Step
    /// Set by `recv` (or already by the fast path).
    var key: CacheKey?
    /// The Vary-selected variant of `key`; set by `lookup` (or already by the fast path).
    var variant: String?

    init(request: ProxyRequest, step: Step = .recv) {
        self.request = request
        self.step = step
    }

    /// Lets the connection handler bind the request to its event loop before the async driver runs it.
    public mutating func setExecutor(_ executor: (any TaskExecutor)?) {
        request.executor = executor
    }

    /// The key and variant, which every step after `lookup` has.
    var keyAndVariant: (CacheKey, String)? {
        guard let key, let variant else { return nil }
        return (key, variant)
    }
}

/// What the engine answers first, on the event loop: a response (a memory hit, a local endpoint), or the flow
/// to continue in a task.
public enum FlowStart: Sendable {
    case response(ProxyResponse)
    case pending(ProxyFlow)
}
