/// When a supervisor restarts a process that died: after `initial` seconds, doubling on each death up to
/// `maximum`, and back to `initial` once the process has stayed up for `resetAfter` seconds.
///
/// Pure (time is passed in), so `edge up`'s restart schedule is tested without waiting for it. Doubling keeps a
/// process that dies at once from spinning the machine; the reset keeps a rare crash from being punished by
/// the delays of crashes long ago.
public struct RestartBackoff: Sendable, Equatable {
    public var initial: Double
    public var maximum: Double
    public var resetAfter: Double
    /// The delay the next death gets, before the reset rule.
    private var next: Double
    /// When the process was last started, seconds on the caller's clock.
    private var startedAt: Double?

    public init(initial: Double = 0.5, maximum: Double = 30, resetAfter: Double = 60) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.resetAfter = resetAfter
        next = initial
    }

    /// Records that the process was (re)started at `now`.
    public mutating func started(at now: Double) {
        startedAt = now
    }

    /// Records that the process died at `now`; returns how many seconds to wait before starting it again.
    public mutating func delayAfterExit(at now: Double) -> Double {
        if let startedAt, now - startedAt >= resetAfter { next = initial }
        let delay = next
        next = min(maximum, next * 2)
        startedAt = nil
        return delay
    }
}
