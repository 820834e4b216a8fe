import Synchronization

/// Thread-safe health view fed by the outcomes of real requests (passive health checks): one
/// `CircuitBreaker` per upstream.
public final class PassiveHealthTracker: UpstreamHealthView {
    private let states: Mutex<[Upstream: CircuitBreaker]>
    private let threshold: Int
    private let backoff: Double

    public init(threshold: Int, backoff: Double) {
        self.threshold = threshold
        self.backoff = backoff
        self.states = Mutex([:])
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
        let (threshold, backoff) = (self.threshold, self.backoff)
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
