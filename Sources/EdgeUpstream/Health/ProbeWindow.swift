/// Pure active-health bookkeeping for one upstream: the last `window` probe results, healthy while at least
/// `threshold` of them succeeded (Varnish's backend probe model).
///
/// A window rather than a single result keeps one lost probe from flapping a server out of rotation, and a
/// recovered server comes back after `threshold` good probes, not after a fixed back-off.
public struct ProbeWindow: Sendable, Equatable {
    public let window: Int
    public let threshold: Int
    /// Most recent last; at most `window` entries.
    public private(set) var results: [Bool]

    /// Starts healthy (as if the window were full of successes), so a new node does not wait for probes
    /// before it sends traffic; the first failures take it out within `window - threshold + 1` probes.
    public init(window: Int = 5, threshold: Int = 3) {
        self.window = max(1, window)
        self.threshold = min(max(1, threshold), max(1, window))
        self.results = Array(repeating: true, count: max(1, window))
    }

    public var isHealthy: Bool { results.count(where: { $0 }) >= threshold }

    /// Records one probe; returns whether the verdict changed.
    @discardableResult
    public mutating func record(success: Bool) -> Bool {
        let before = isHealthy
        results.append(success)
        if results.count > window { results.removeFirst(results.count - window) }
        return before != isHealthy
    }
}
