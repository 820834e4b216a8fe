/// What to simulate: cluster size, protocol settings, and what the network and the nodes do to it.
/// Everything random is drawn from `seed`, so a scenario always produces the same report.
public struct SimulationScenario: Sendable {
    public var nodeCount: Int
    public var seed: UInt64 = 1
    public var settings: SWIMSettings = .lan
    /// Simulated seconds.
    public var duration: Double = 60
    /// Probability that any one datagram is lost.
    public var lossRate: Double = 0
    /// One-way delay is uniform in [minDelay, maxDelay] seconds (a LAN by default).
    public var minDelay: Double = 0.000_5
    public var maxDelay: Double = 0.005
    public var crashes: [Crash] = []
    public var partitions: [Partition] = []
    public var degradation: Degradation?
    public var bootstrap: Bootstrap = .fullMembership
    /// Every state change any node sees about these nodes is written to the report's `trace` (for debugging).
    public var traceNodes: Set<Int> = []
    /// Traffic is counted from this time on, so joining does not inflate the steady-state figures.
    public var measureFrom: Double = 0

    public init(nodeCount: Int) { self.nodeCount = nodeCount }

    /// The node stops at `at`: it sends, answers and ticks no more, as after SIGKILL.
    public struct Crash: Sendable, Hashable {
        public var node: Int
        public var at: Double

        public init(node: Int, at: Double) {
            self.node = node
            self.at = at
        }
    }

    /// Between `start` and `end`, nodes in `isolated` reach only each other.
    public struct Partition: Sendable, Hashable {
        public var start: Double
        public var end: Double
        public var isolated: Set<Int>

        public init(start: Double, end: Double, isolated: Set<Int>) {
            self.start = start
            self.end = end
            self.isolated = isolated
        }
    }

    /// Nodes with a bad local network or starved CPU: extra loss and extra delay on everything they send or
    /// receive. These are the nodes Lifeguard is about: without it they accuse healthy peers.
    public struct Degradation: Sendable, Hashable {
        public var nodes: Set<Int>
        public var lossRate: Double
        public var extraDelay: Double

        public init(nodes: Set<Int>, lossRate: Double, extraDelay: Double) {
            self.nodes = nodes
            self.lossRate = lossRate
            self.extraDelay = extraDelay
        }
    }

    public enum Bootstrap: Sendable, Hashable {
        /// Every node starts knowing every other as alive (a cluster that has long converged).
        case fullMembership
        /// Node 0 starts alone; node i joins through node 0 at `i · spacing` seconds.
        case joinThroughSeed(spacing: Double)
    }
}

public struct SimulationError: Error, Hashable, Sendable, CustomStringConvertible {
    public let reason: String

    public var description: String { "invalid simulation scenario: \(reason)" }
}
