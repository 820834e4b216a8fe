import EdgeCore
import Synchronization

/// This node's history for the dashboard: the last 15 minutes of one-second samples, the last member health
/// changes, the latest member/upstream states and top URLs, and the last purges it coordinated. Fixed-size
/// rings, so memory stays bounded however long the node runs. The sampler in the executable feeds it once a
/// second; the admin router reads it.
public final class NodeStatsRecorder: Sendable {
    public static let sampleCapacity = 900
    public static let healthChangeCapacity = 256
    public static let purgeCapacity = 50
    /// Top entries served per sketch.
    public static let topLimit = 20

    struct State {
        var samples = SampleRing<TrafficSample>(capacity: NodeStatsRecorder.sampleCapacity)
        var changes = SampleRing<HealthChange>(capacity: NodeStatsRecorder.healthChangeCapacity)
        var members: [String: String] = [:]
        var memberOrder: [String] = []
        var upstreams: [NodeStatsDocument.UpstreamState] = []
        var topURLs: [HeavyHitters.Entry] = []
        var topMisses: [HeavyHitters.Entry] = []
        var purges = SampleRing<PurgeReport>(capacity: NodeStatsRecorder.purgeCapacity)
    }

    private let state = Mutex(State())

    public init() {}

    /// One second's sample and the states seen at its end. `members` keeps the caller's order.
    public func record(sample: TrafficSample, members: [NodeStatsDocument.MemberState],
                       upstreams: [NodeStatsDocument.UpstreamState], topURLs: HeavyHitters, topMisses: HeavyHitters) {
        let states = Dictionary(members.map { ($0.name, $0.state) }) { first, _ in first }
        state.withLock { state in
            state.samples.append(sample)
            for change in HealthChange.changes(from: state.members, to: states, time: sample.time) {
                state.changes.append(change)
            }
            state.members = states
            state.memberOrder = members.map(\.name)
            state.upstreams = upstreams
            state.topURLs = topURLs.top(Self.topLimit)
            state.topMisses = topMisses.top(Self.topLimit)
        }
    }

    /// Keeps a purge this node coordinated, for the dashboard's purge log.
    public func recordPurge(_ report: PurgeReport) {
        state.withLock { $0.purges.append(report) }
    }

    /// The document for `GET /stats/samples?since=`: samples and health changes after `since` (unix seconds; all
    /// of them when `nil`).
    public func document(node: String, time: Int, since: Int?) -> NodeStatsDocument {
        state.withLock { state in
            let after = since ?? Int.min
            return NodeStatsDocument(
                node: node, time: time,
                samples: state.samples.suffix { $0.time > after },
                healthChanges: state.changes.suffix { $0.time > after },
                members: state.memberOrder.compactMap { name in
                    state.members[name].map { NodeStatsDocument.MemberState(name: name, state: $0) }
                },
                upstreams: state.upstreams, topURLs: state.topURLs, topMisses: state.topMisses,
                purges: Array(state.purges.elements.reversed()))
        }
    }
}
