import Foundation

/// What a simulation measured.
public struct SimulationReport: Sendable, Codable, Hashable {
    public struct Detection: Sendable, Codable, Hashable {
        public var node: Int
        public var crashedAt: Double
        /// Seconds from the crash until the first node suspected it, and until the first declared it dead.
        public var firstSuspectedAfter: Double?
        public var firstDeadAfter: Double?
        /// Seconds from the crash until every live node saw it dead; nil if some never did (see `missing`).
        public var allDeadAfter: Double?
        public var missing: Int
    }

    public var nodeCount: Int
    public var duration: Double
    public var lossRate: Double
    public var lifeguard: Bool
    public var detections: [Detection]
    /// Suspect events (observer, subject) about nodes that had not crashed.
    public var falseSuspicionEvents: Int
    /// Distinct (subject, incarnation) suspicions of nodes that had not crashed: how often a live node was
    /// accused, however many observers heard of it.
    public var falseSuspicionEpisodes: Int
    /// Dead events (observer, subject) about nodes that had not crashed.
    public var falseDeathObservations: Int
    /// Distinct live nodes that some node declared dead.
    public var falselyDeadMembers: Int
    /// Which live nodes were declared dead, by index.
    public var falselyDeadNodes: [Int]
    /// State changes about `traceNodes`: "time observer subject state incarnation".
    public var trace: [String]
    /// The same, counting only nodes that were not degraded.
    public var falselyDeadHealthyMembers: Int
    public var messagesSent: Int
    public var bytesSent: Int
    public var messagesPerNodePerSecond: Double
    public var bytesPerNodePerSecond: Double
    /// (observer, subject) pairs of live nodes where the observer considered the subject dead, left or did not
    /// know it at the end (suspect still counts as a member).
    public var unconvergedPairs: Int
    public var peakLocalHealth: Int
    /// Wall-clock seconds the simulation took.
    public var runSeconds: Double

    /// Median over crashes of the time until every live node saw the crash as dead.
    public var detectionMedian: Double? { Self.median(detections.compactMap(\.allDeadAfter)) }
    public var detectionWorst: Double? { detections.compactMap(\.allDeadAfter).max() }
    public var undetected: Int { detections.filter { $0.allDeadAfter == nil }.count }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// One line, `key=value` pairs, for logs and `bench/swim`.
    public func summaryLine(label: String) -> String {
        func seconds(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "-" }
        return [
            "swim-sim", label, "n=\(nodeCount)", String(format: "loss=%.0f%%", lossRate * 100),
            "lifeguard=\(lifeguard ? "on" : "off")", String(format: "duration=%.0fs", duration),
            "crashes=\(detections.count)", "detect_all_median_s=\(seconds(detectionMedian))",
            "detect_all_worst_s=\(seconds(detectionWorst))", "undetected=\(undetected)",
            "false_suspicions=\(falseSuspicionEpisodes)", "false_suspicion_events=\(falseSuspicionEvents)", "false_dead_members=\(falselyDeadMembers)",
            "false_dead_healthy=\(falselyDeadHealthyMembers)", "false_dead_observations=\(falseDeathObservations)",
            String(format: "msgs_per_node_s=%.2f", messagesPerNodePerSecond),
            String(format: "bytes_per_node_s=%.0f", bytesPerNodePerSecond),
            "unconverged_pairs=\(unconvergedPairs)", "peak_lhm=\(peakLocalHealth)",
            String(format: "run_s=%.1f", runSeconds),
        ].joined(separator: " ")
    }
}
