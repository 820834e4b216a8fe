import Foundation

/// The membership as one node sees it, for the rest of the process: shield selection, DNS routing and the status
/// page read snapshots or subscribe to changes. Thread-safe; readers never see a half-applied update.
///
/// The gossip shell (or the simulator) is the only writer; it publishes every `MembershipEvent` the core emits.
public final class ClusterHealthView: @unchecked Sendable {
    // Guarded by `lock`; a lock rather than an actor so synchronous callers (NIO handlers) can read.
    private let lock = NSLock()
    private var table: [NodeID: Member]
    private var localID: NodeID
    private var localHealthScore = 0
    private var drops: [PacketDropReason: Int] = [:]
    private var traffic = GossipTraffic()
    private var subscribers: [UInt64: AsyncStream<MembershipEvent>.Continuation] = [:]
    private var nextSubscriber: UInt64 = 0

    public init(local: Member) {
        table = [local.id: local]
        localID = local.id
    }

    // MARK: Reading

    /// Every member including this node, sorted by name.
    public func members() -> [MemberSnapshot] {
        withLock { Array(table.values) }.sorted { $0.id < $1.id }
    }

    public func member(_ id: NodeID) -> MemberSnapshot? { withLock { table[id] } }

    /// This node's own record.
    public var local: MemberSnapshot? { withLock { table[localID] } }

    /// Alive members that are not draining, optionally of one role: the candidates for new traffic.
    public func routable(role: NodeRole? = nil) -> [MemberSnapshot] {
        members().filter { $0.state == .alive && !$0.metadata.draining && (role == nil || $0.metadata.role == role) }
    }

    /// Lifeguard's local health multiplier of this node: 0 is healthy; higher means its own probes are failing.
    public var localHealth: Int { withLock { localHealthScore } }

    /// Inbound datagrams dropped, by reason, since start.
    public func droppedPackets() -> [PacketDropReason: Int] { withLock { drops } }

    /// Datagrams sent and accepted, suspicions and refutations seen, since start.
    public func gossipTraffic() -> GossipTraffic { withLock { traffic } }

    /// Changes from now on. Subscribe, then read `members()`, so nothing falls between the two. The stream keeps
    /// the newest 1,024 events if the reader falls behind.
    public func events() -> AsyncStream<MembershipEvent> {
        let (stream, continuation) = AsyncStream<MembershipEvent>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let id = withLock {
            nextSubscriber += 1
            subscribers[nextSubscriber] = continuation
            return nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            self?.withLock { _ = self?.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: Writing (the gossip shell)

    public func publish(_ event: MembershipEvent) {
        let listeners = withLock {
            if case .stateChanged(let member, let previous) = event {
                if member.state == .suspect { traffic.suspicions += 1 }
                if previous == .suspect && member.state == .alive { traffic.refutations += 1 }
            }
            if case .removed(let member) = event {
                table[member.id] = nil
            } else {
                table[event.member.id] = event.member
            }
            return Array(subscribers.values)
        }
        for listener in listeners { listener.yield(event) }
    }

    /// Counts datagrams the shell sent.
    public func recordSent(_ count: Int) {
        withLock { traffic.packetsSent += count }
    }

    /// Counts a datagram that passed decoding, authentication and the replay guard.
    public func recordReceived() {
        withLock { traffic.packetsReceived += 1 }
    }

    /// Refreshes this node's own row (incarnation and metadata change without events) and its health score.
    public func updateLocal(_ member: Member, localHealth: Int) {
        withLock {
            localID = member.id
            table[member.id] = member
            localHealthScore = localHealth
        }
    }

    /// Refreshes when each member was last heard from. Acks change nothing else about a member, so this publishes
    /// no event; it keeps `lastHeard` in snapshots current between membership changes.
    public func refreshLastHeard(_ members: [Member]) {
        withLock {
            for member in members {
                guard var row = table[member.id], row.lastHeard < member.lastHeard else { continue }
                row.lastHeard = member.lastHeard
                table[member.id] = row
            }
        }
    }

    public func recordDrop(_ reason: PacketDropReason) {
        withLock { drops[reason, default: 0] += 1 }
    }

    /// Ends every subscription (the node stopped).
    public func finish() {
        let listeners = withLock {
            defer { subscribers = [:] }
            return Array(subscribers.values)
        }
        for listener in listeners { listener.finish() }
    }

    private func withLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// Gossip counters since start, for metrics.
public struct GossipTraffic: Equatable, Sendable {
    public var packetsSent = 0
    public var packetsReceived = 0
    /// Members that turned suspect, as this node heard it.
    public var suspicions = 0
    /// Suspect members that came back alive: they refuted the suspicion with a higher incarnation.
    public var refutations = 0

    public init() {}
}
