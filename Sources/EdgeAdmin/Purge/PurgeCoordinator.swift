import EdgeCache
import Logging

/// Spreads a purge over the cluster and owes it to members that missed it.
///
/// A client's purge gets an id and an `issuedAt` here, is applied locally, then relayed to every other member
/// the backend lists: all shields in parallel first, then all edges in parallel. Shields go first so that once
/// edges drop their copies, a refetch through a shield cannot return the shield's old copy (the edge's ledger
/// would refuse it anyway, by the shield's fetch time; ordering makes that the rare case).
///
/// A member that is down, or whose call fails, or that answers that it could not make the purge durable (its
/// ledger could not be saved: `failed`), gets the command queued (`PendingPurges`, bounded per member); so does
/// this node when its own ledger cannot be saved.
/// The executable calls `retryPending()` when the membership reports a member alive again and on a timer
/// (every few seconds); queued commands then go out in order. The queue lives in this process only: if this
/// node restarts while a member is down, that member misses the queued purges (see the report's notes).
public actor PurgeCoordinator {
    public typealias Clock = @Sendable () -> Double

    private let localName: String
    private let localRole: String
    private let backend: any AdminBackend
    private let peers: any AdminPeerClient
    private let now: Clock
    private let logger: Logger
    private var pending: PendingPurges
    private var retrying: Set<String> = []

    /// - Parameters:
    ///   - localName: this node's name, skipped when relaying.
    ///   - localRole: `edge` or `shield`, for the report.
    ///   - now: wall-clock seconds since the epoch, for `issuedAt`.
    public init(localName: String, localRole: String, backend: any AdminBackend, peers: any AdminPeerClient,
                pendingLimitPerMember: Int = 1000, logger: Logger = Logger(label: "edge.admin.purge"),
                now: @escaping Clock) {
        self.localName = localName
        self.localRole = localRole
        self.backend = backend
        self.peers = peers
        self.now = now
        self.logger = logger
        self.pending = PendingPurges(limitPerMember: pendingLimitPerMember)
    }

    // MARK: Purges from clients

    /// Issues a new purge across the cluster and reports every node's result.
    public func purge(_ scope: PurgeScope, mode: PurgeMode) async -> PurgeReport {
        let started = ContinuousClock.now
        let command = PurgeCommand(id: Self.makeID(), scope: scope, mode: mode, issuedAt: now())
        var results = [await applyLocally(command)]
        let members = Self.distinct(await backend.members()).filter { $0.name != localName }
        results += await relay(command, to: members.filter(\.isShield))
        results += await relay(command, to: members.filter { !$0.isShield })
        let report = PurgeReport(command: command, nodes: results, totalMs: Self.milliseconds(since: started))
        logger.info("purge done", metadata: [
            "id": "\(command.id)", "scope": "\(scope)", "mode": "\(mode)", "ms": "\(report.totalMs)",
            "complete": "\(report.complete)",
        ])
        return report
    }

    /// Applies a command relayed by another node, here only. A failure is reported back, and the relaying
    /// node owns the retry.
    public func applyRelayed(_ command: PurgeCommand) async -> NodePurgeResult {
        await applyHere(command)
    }

    /// Applies a client's purge here; one this node cannot make durable is queued for it and retried like a
    /// member's.
    private func applyLocally(_ command: PurgeCommand) async -> NodePurgeResult {
        let result = await applyHere(command)
        if result.status == .failed {
            pending.enqueue(command, for: localName)
            logger.error("purge not durable on this node; queued for retry", metadata: [
                "id": "\(command.id)", "member": "\(localName)", "reason": "\(result.error ?? "")",
            ])
        }
        return result
    }

    private func applyHere(_ command: PurgeCommand) async -> NodePurgeResult {
        let started = ContinuousClock.now
        let result = await backend.applyPurge(command)
        return NodePurgeResult(node: localName, role: localRole, status: result.error == nil ? .ok : .failed,
                               removed: result.removed, marked: result.marked, applied: result.applied,
                               ms: Self.milliseconds(since: started), error: result.error)
    }

    /// Relays to one tier in parallel; unreachable members get the command queued.
    private func relay(_ command: PurgeCommand, to members: [MemberInfo]) async -> [NodePurgeResult] {
        let peers = self.peers
        let results = await withTaskGroup(of: NodePurgeResult.self) { group in
            for member in members {
                group.addTask { await Self.deliver(command, to: member, peers: peers) }
            }
            var results: [NodePurgeResult] = []
            for await result in group { results.append(result) }
            return results
        }
        for result in results where result.status == .pending || result.status == .failed {
            pending.enqueue(command, for: result.node)
            logger.warning(result.status == .failed ? "purge not durable on member; queued for retry"
                                                    : "purge queued for unreachable member", metadata: [
                "id": "\(command.id)", "member": "\(result.node)", "reason": "\(result.error ?? "")",
            ])
        }
        // Report in the order the backend listed the members, not in completion order.
        let order = Dictionary(members.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        return results.sorted { (order[$0.node] ?? 0) < (order[$1.node] ?? 0) }
    }

    private static func deliver(_ command: PurgeCommand, to member: MemberInfo,
                                peers: any AdminPeerClient) async -> NodePurgeResult {
        guard member.adminURL != nil else {
            return NodePurgeResult(node: member.name, role: member.role, status: .skipped,
                                   error: "no admin address (admin_listen) known for this member")
        }
        guard member.state.isReachable else {
            return NodePurgeResult(node: member.name, role: member.role, status: .pending,
                                   error: "member is \(member.state.rawValue); queued until it is alive")
        }
        let started = ContinuousClock.now
        do {
            let result = try await peers.relay(command, to: member)
            return NodePurgeResult(node: member.name, role: member.role, status: result.error == nil ? .ok : .failed,
                                   removed: result.removed, marked: result.marked, applied: result.applied,
                                   ms: milliseconds(since: started), error: result.error)
        } catch {
            return NodePurgeResult(node: member.name, role: member.role, status: .pending,
                                   ms: milliseconds(since: started), error: "\(error)")
        }
    }

    // MARK: Members that come back

    /// Delivers queued purges to members the backend now lists as alive (shields before edges), each member's
    /// queue in order, stopping at a member's first failure. Returns one result per delivered or failed
    /// command. Safe to call often: members with nothing queued cost nothing, and a member already being
    /// retried is skipped.
    @discardableResult
    public func retryPending() async -> [NodePurgeResult] {
        guard !pending.isEmpty else { return [] }
        var results = await retryLocal()
        let owed = pending.counts
        let members = Self.distinct(await backend.members()).filter {
            $0.name != localName && owed[$0.name] != nil && $0.state.isReachable && $0.adminURL != nil
                && !retrying.contains($0.name)
        }
        guard !members.isEmpty else { return results }
        for tier in [members.filter(\.isShield), members.filter { !$0.isShield }] where !tier.isEmpty {
            results += await retry(tier)
        }
        return results
    }

    /// Re-applies what this node could not make durable, in order, stopping at the first that still fails.
    private func retryLocal() async -> [NodePurgeResult] {
        guard !retrying.contains(localName) else { return [] }
        retrying.insert(localName)
        defer { retrying.remove(localName) }
        var results: [NodePurgeResult] = []
        for command in pending.commands(for: localName) {
            let result = await applyHere(command)
            results.append(result)
            if result.status != .ok { break }
            pending.delivered(command, to: localName)
            logger.info("queued purge now durable", metadata: ["id": "\(command.id)", "member": "\(localName)"])
        }
        return results
    }

    private func retry(_ members: [MemberInfo]) async -> [NodePurgeResult] {
        let work = members.map { ($0, pending.commands(for: $0.name)) }
        for member in members { retrying.insert(member.name) }
        defer { for member in members { retrying.remove(member.name) } }
        let peers = self.peers
        let outcomes = await withTaskGroup(of: [(PurgeCommand, NodePurgeResult)].self) { group in
            for (member, commands) in work {
                group.addTask {
                    var outcomes: [(PurgeCommand, NodePurgeResult)] = []
                    for command in commands {
                        let result = await Self.deliver(command, to: member, peers: peers)
                        outcomes.append((command, result))
                        if result.status != .ok { break }
                    }
                    return outcomes
                }
            }
            var all: [(PurgeCommand, NodePurgeResult)] = []
            for await outcomes in group { all += outcomes }
            return all
        }
        for (command, result) in outcomes where result.status == .ok {
            pending.delivered(command, to: result.node)
            logger.info("queued purge delivered", metadata: ["id": "\(command.id)", "member": "\(result.node)"])
        }
        return outcomes.map(\.1)
    }

    /// Commands queued per member.
    public func pendingCounts() -> [String: Int] {
        pending.counts
    }

    // MARK: Helpers

    /// The first entry per name: a backend that lists a member twice must not get it purged twice.
    static func distinct(_ members: [MemberInfo]) -> [MemberInfo] {
        var seen = Set<String>()
        return members.filter { seen.insert($0.name).inserted }
    }

    static func makeID() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16) + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        return (Double(seconds) * 1000 + Double(attoseconds) / 1e15).rounded(toPlaces: 3)
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
