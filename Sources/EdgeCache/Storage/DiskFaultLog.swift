/// What a node remembers about its disk faults: counts per kind, the last fault, and which faults reach the
/// log. A pure value (time comes in as seconds); the node's monitor holds it behind a lock and performs its
/// decisions.
///
/// Logging is rate-limited per kind: the first fault of a kind is logged at once, later ones at most once per
/// `logInterval`, each such line carrying how many were suppressed since the previous one. A failing disk can
/// fault on every request; one line per kind per interval keeps the log readable and the node fast.
public struct DiskFaultLog: Sendable, Equatable {
    public struct Settings: Sendable, Equatable {
        /// Seconds between two log lines of one kind.
        public var logInterval: Double
        /// Seconds after the last fault that the disk still counts as degraded.
        public var degradedFor: Double

        public init(logInterval: Double = 10, degradedFor: Double = 60) {
            self.logInterval = max(0, logInterval)
            self.degradedFor = max(0, degradedFor)
        }
    }

    public enum Decision: Sendable, Equatable {
        /// Write a line for this fault, mentioning `suppressed` faults of its kind not logged since the last.
        case log(suppressed: Int)
        /// Count it only.
        case suppress
    }

    struct Throttle: Sendable, Equatable {
        var lastLoggedAt: Double
        var suppressed: Int
    }

    public let settings: Settings
    public private(set) var counts: [DiskFaultKind: Int] = [:]
    public private(set) var lastFault: DiskFault?
    public private(set) var lastFaultAt: Double?
    private var throttles: [DiskFaultKind: Throttle] = [:]

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Counts `fault` and says whether to log it.
    public mutating func record(_ fault: DiskFault, now: Double) -> Decision {
        counts[fault.kind, default: 0] += 1
        lastFault = fault
        lastFaultAt = now
        guard var throttle = throttles[fault.kind] else {
            throttles[fault.kind] = Throttle(lastLoggedAt: now, suppressed: 0)
            return .log(suppressed: 0)
        }
        guard now - throttle.lastLoggedAt >= settings.logInterval else {
            throttle.suppressed += 1
            throttles[fault.kind] = throttle
            return .suppress
        }
        let suppressed = throttle.suppressed
        throttles[fault.kind] = Throttle(lastLoggedAt: now, suppressed: 0)
        return .log(suppressed: suppressed)
    }

    /// Whether a fault happened within `degradedFor`.
    public func hasRecentFault(now: Double) -> Bool {
        guard let lastFaultAt else { return false }
        return now - lastFaultAt < settings.degradedFor
    }
}
