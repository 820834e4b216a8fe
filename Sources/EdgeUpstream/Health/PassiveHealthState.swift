/// Pure passive-health bookkeeping for one upstream: a run of failures marks it down for a back-off period.
///
/// Like nginx's `max_fails` / `fail_timeout`: after `threshold` consecutive failures the upstream is skipped
/// until `backoff` seconds pass; the first success after that clears the record. Each further failure while
/// already down doubles the back-off (capped), so a flapping server is not hammered.
public struct PassiveHealthState: Sendable, Equatable {
    public private(set) var consecutiveFailures = 0
    public private(set) var downUntil: Double?
    private var currentBackoff: Double

    public let threshold: Int
    public let backoff: Double
    public let maxBackoff: Double

    public init(threshold: Int, backoff: Double, maxBackoff: Double? = nil) {
        self.threshold = max(1, threshold)
        self.backoff = max(0, backoff)
        self.maxBackoff = maxBackoff ?? max(0, backoff) * 8
        self.currentBackoff = max(0, backoff)
    }

    public func isAvailable(now: Double) -> Bool {
        guard let downUntil else { return true }
        return now >= downUntil
    }

    public mutating func record(_ outcome: UpstreamOutcome, now: Double) {
        switch outcome {
        case .success:
            consecutiveFailures = 0
            downUntil = nil
            currentBackoff = backoff
        case .failure:
            consecutiveFailures += 1
            guard consecutiveFailures >= threshold else { return }
            if let until = downUntil, now >= until {
                // A retry after the back-off failed again: wait longer before the next one.
                currentBackoff = min(maxBackoff, currentBackoff * 2)
            }
            downUntil = now + currentBackoff
        }
    }
}
