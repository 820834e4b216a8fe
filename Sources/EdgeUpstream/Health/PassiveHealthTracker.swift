import Synchronization

/// Thread-safe health view fed by the outcomes of real requests (passive health checks): one
/// `CircuitBreaker` per upstream.
public final class PassiveHealthTracker: UpstreamHealthView {
    private let states: Mutex<[Upstream: CircuitBreaker]>
    /// The threshold and back-off new breakers get; `retune` changes them and every existing breaker's.
    private let tuning: Mutex<(threshold: Int, backoff: Double)>

    public init(threshold: Int, backoff: Double) {
        self.tuning = Mutex((threshold, backoff))
        self.states = Mutex([:])
    }

    /// Applies a new failure threshold and back-off (a configuration reload) to every upstream, keeping each
    /// one's state (an open circuit stays open until its time).
    public func retune(threshold: Int, backoff: Double) {
        tuning.withLock { $0 = (threshold, backoff) }
        states.withLock { states in
            for upstream in states.keys { states[upstream]?.retune(threshold: threshold, backoff: backoff) }
        }
    }

    public func isAvailable(_ upstream: Upstream, now: Double) -> Bool {
        states.withLock { $0[upstream]?.isAvailable(now: now) ?? true }
    }

    public func admit(_ upstream: Upstream, now: Double) -> CircuitBreaker.Admission {
        states.withLock { states in
            // No entry: nothing has failed yet, the circuit is closed.
            guard var state = states[upstream] else { return .allowed }
            let admission = state.admit(now: now)
            states[upstream] = state
            return admission
        }
    }

    public func record(_ outcome: UpstreamOutcome, for upstream: Upstream, now: Double) {
        let (threshold, backoff) = tuning.withLock { $0 }
        states.withLock { states in
            var state = states[upstream] ?? CircuitBreaker(threshold: threshold, backoff: backoff)
            state.record(outcome, now: now)
            states[upstream] = state
        }
    }

    public func snapshot(now: Double) -> [UpstreamHealthSnapshot] {
        states.withLock { states in
            states.map { upstream, state in
                UpstreamHealthSnapshot(upstream: upstream, available: state.isAvailable(now: now),
                                       consecutiveFailures: state.consecutiveFailures, downUntil: state.retryAt)
            }.sorted { $0.upstream.name < $1.upstream.name }
        }
    }
}
