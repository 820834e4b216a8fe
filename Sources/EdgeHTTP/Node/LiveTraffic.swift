import EdgeCache
import EdgeCore
import Synchronization

/// The dashboard's counters of client traffic: what happened since the last one-second sample, and the top URLs
/// and top misses of this node (bounded sketches). Health probes from other nodes are not client traffic and are
/// left out, so an idle cluster shows zero requests.
public final class LiveTraffic: Sendable {
    struct State {
        var interval = TrafficInterval()
        var topURLs = HeavyHitters(capacity: LiveTraffic.sketchCapacity)
        var topMisses = HeavyHitters(capacity: LiveTraffic.sketchCapacity)
    }

    public static let sketchCapacity = 64

    private let state = Mutex(State())
    /// Every `sketchSampling`-th response updates the top-URL sketches, with that weight: the sketches hash and
    /// compare URLs under the lock, which every response would otherwise pay on the hit path. Heavy hitters are
    /// what sampling keeps; the per-second counts stay exact.
    static let sketchSampling = 4
    private let responses = Atomic<Int>(0)

    public init() {}

    /// Counts one answered request; called once per client response by `RequestObserver`, which keeps health
    /// probes out before it gets here.
    public func record(target: String, status: Int, phase: CachePhase, bytes: Int, upstreamSeconds: Double?) {
        let hit = phase == .hit || phase == .stale || phase == .staleUpdating || phase == .revalidated
        let miss = phase == .miss || phase == .expired || phase == .uncacheable
        let sampled = responses.add(1, ordering: .relaxed).newValue % Self.sketchSampling == 0
        state.withLock { state in
            state.interval.record(status: status, hit: hit, miss: miss, bytes: bytes, upstreamSeconds: upstreamSeconds)
            if sampled {
                state.topURLs.offer(target, weight: Self.sketchSampling)
                if miss { state.topMisses.offer(target, weight: Self.sketchSampling) }
            }
        }
    }

    /// The counts since the previous call, starting a new interval.
    public func drain() -> TrafficInterval {
        state.withLock { state in
            let interval = state.interval
            state.interval = TrafficInterval()
            return interval
        }
    }

    /// This node's top URLs and top misses since start (approximate counts, see `HeavyHitters`).
    public func top() -> (urls: HeavyHitters, misses: HeavyHitters) {
        state.withLock { ($0.topURLs, $0.topMisses) }
    }
}
