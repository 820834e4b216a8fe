/// Passive health of one upstream as a circuit breaker: a pure state machine, time passed in.
///
/// - *closed*: requests go through. `threshold` failures in a row, or a single timeout, open it (a hung
///   server costs each request a whole timeout, so one is evidence enough).
/// - *open*: requests are not attempted until the back-off ends (like nginx's `max_fails` / `fail_timeout`).
/// - *half-open*: once the back-off has passed, exactly one request is let through as a probe
///   (`admit` answers `.probe` once); its success closes the circuit, its failure opens it again for twice
///   the back-off (capped at `maxBackoff`), so a server that stays down costs one attempt per back-off period.
///   A probe whose outcome never arrives (its request was cancelled) frees the slot after one back-off.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case closed
        /// Not attempted before `until`.
        case open(until: Double)
        /// One probe is out; another is allowed after `probeExpires` if its outcome never arrives.
        case halfOpen(probeExpires: Double)
    }

    /// What a request may do with this upstream now.
    public enum Admission: Sendable, Equatable {
        /// The circuit is closed.
        case allowed
        /// The circuit is half-open and this request is its one probe: its outcome must be recorded.
        case probe
        /// Skip it; it may be tried again at `retryAt`.
        case refused(retryAt: Double)
    }

    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    private var currentBackoff: Double

    public private(set) var threshold: Int
    public private(set) var backoff: Double
    public private(set) var maxBackoff: Double

    public init(threshold: Int, backoff: Double, maxBackoff: Double? = nil) {
        self.threshold = max(1, threshold)
        self.backoff = max(0, backoff)
        self.maxBackoff = max(max(0, backoff), maxBackoff ?? max(0, backoff) * 8)
        self.currentBackoff = max(0, backoff)
    }

    /// Takes a new threshold and back-off (a configuration reload), keeping the state: an open circuit stays
    /// open until the time it was given, and the next opening uses the new back-off.
    public mutating func retune(threshold: Int, backoff: Double) {
        let tuned = CircuitBreaker(threshold: threshold, backoff: backoff)
        self.threshold = tuned.threshold
        self.backoff = tuned.backoff
        maxBackoff = tuned.maxBackoff
        // A closed circuit's next opening waits the new back-off; one already escalating keeps escalating, within
        // the new bounds.
        if case .closed = state {
            currentBackoff = tuned.backoff
        } else {
            currentBackoff = min(max(currentBackoff, tuned.backoff), tuned.maxBackoff)
        }
    }

    /// Whether a request could be admitted now, without taking the probe slot: for plan ordering and status.
    public func isAvailable(now: Double) -> Bool {
        switch state {
        case .closed: return true
        case .open(let until): return now >= until
        case .halfOpen(let probeExpires): return now >= probeExpires
        }
    }

    /// When a down upstream may be tried again; `nil` while closed.
    public var retryAt: Double? {
        switch state {
        case .closed: return nil
        case .open(let until): return until
        case .halfOpen(let probeExpires): return probeExpires
        }
    }

    /// Decides whether a request may go to this upstream now; hands out the half-open probe slot at most once
    /// per back-off period.
    public mutating func admit(now: Double) -> Admission {
        switch state {
        case .closed:
            return .allowed
        case .open(let until), .halfOpen(probeExpires: let until):
            guard now >= until else { return .refused(retryAt: until) }
            state = .halfOpen(probeExpires: now + currentBackoff)
            return .probe
        }
    }

    public mutating func record(_ outcome: UpstreamOutcome, now: Double) {
        switch outcome {
        case .success:
            consecutiveFailures = 0
            state = .closed
            currentBackoff = backoff
        case .failure, .timeout:
            consecutiveFailures += 1
            switch state {
            case .closed:
                guard outcome == .timeout || consecutiveFailures >= threshold else { return }
                state = .open(until: now + currentBackoff)
            case .halfOpen:
                // The probe failed: wait longer before the next one.
                currentBackoff = min(maxBackoff, currentBackoff * 2)
                state = .open(until: now + currentBackoff)
            case .open(let until):
                // A request that began before the circuit opened: it changes nothing, unless the back-off
                // already ended, when it counts as a failed probe.
                guard now >= until else { return }
                currentBackoff = min(maxBackoff, currentBackoff * 2)
                state = .open(until: now + currentBackoff)
            }
        }
    }
}
