import Synchronization

/// Where a verdict about an upstream's health came from, besides this node's own requests.
public enum HealthSource: String, Sendable, Hashable, CaseIterable {
    /// Periodic health-check requests from this node (`ActiveHealthChecker`).
    case probe
    /// The cluster's gossip membership: a shield that is dead, has left, or is draining.
    case gossip
}

/// The node's one health view of its upstreams, combining every signal: passive (outcomes of real requests:
/// a circuit breaker per upstream), active probes, and gossip.
///
/// An upstream is available only when no source says it is down. Selection code reads only
/// `UpstreamHealthView`, so it never needs to know which source spoke.
public final class HealthBoard: UpstreamHealthView {
    private let passive: PassiveHealthTracker
    /// `false` = this source says down. A missing entry means the source has no opinion.
    private let verdicts: Mutex<[Upstream: [HealthSource: Bool]]>

    public init(threshold: Int, backoff: Double) {
        passive = PassiveHealthTracker(threshold: threshold, backoff: backoff)
        verdicts = Mutex([:])
    }

    /// Applies a new passive failure threshold and back-off (a configuration reload).
    public func retune(threshold: Int, backoff: Double) {
        passive.retune(threshold: threshold, backoff: backoff)
    }

    public func isAvailable(_ upstream: Upstream, now: Double) -> Bool {
        let vetoed = verdicts.withLock { $0[upstream]?.values.contains(false) ?? false }
        return !vetoed && passive.isAvailable(upstream, now: now)
    }

    /// Sources other than passive health veto without a known end; a skipped upstream vetoed by them is
    /// worth asking again after this long (the `Retry-After` a client sees).
    public static let verdictRetrySeconds: Double = 1

    public func admit(_ upstream: Upstream, now: Double) -> CircuitBreaker.Admission {
        let vetoed = verdicts.withLock { $0[upstream]?.values.contains(false) ?? false }
        // A probe or gossip verdict of down is final until that source changes its mind: no request probes it.
        if vetoed { return .refused(retryAt: now + Self.verdictRetrySeconds) }
        return passive.admit(upstream, now: now)
    }

    public func record(_ outcome: UpstreamOutcome, for upstream: Upstream, now: Double) {
        passive.record(outcome, for: upstream, now: now)
    }

    /// Sets (or with `nil`, clears) what `source` says about `upstream`. Returns whether anything changed.
    @discardableResult
    public func setVerdict(_ available: Bool?, for upstream: Upstream, source: HealthSource) -> Bool {
        verdicts.withLock { verdicts in
            let before = verdicts[upstream]?[source]
            verdicts[upstream, default: [:]][source] = available
            return before != available
        }
    }

    /// Upstreams each source currently reports down, for status output.
    public func downVerdicts() -> [Upstream: [HealthSource]] {
        verdicts.withLock { verdicts in
            verdicts.compactMapValues { sources in
                let down = sources.filter { !$0.value }.map(\.key).sorted { $0.rawValue < $1.rawValue }
                return down.isEmpty ? nil : down
            }
        }
    }

    public func snapshot(now: Double) -> [UpstreamHealthSnapshot] {
        var byUpstream: [Upstream: UpstreamHealthSnapshot] = [:]
        for entry in passive.snapshot(now: now) { byUpstream[entry.upstream] = entry }
        for (upstream, sources) in downVerdicts() {
            var entry = byUpstream[upstream]
                ?? UpstreamHealthSnapshot(upstream: upstream, available: true, consecutiveFailures: 0, downUntil: nil)
            entry.available = false
            entry.downBy = sources.map(\.rawValue)
            byUpstream[upstream] = entry
        }
        return byUpstream.values.sorted { $0.upstream.name < $1.upstream.name }
    }
}
