import EdgeCache

/// Purges owed to members that could not be reached or could not make them durable, per member, bounded.
///
/// A member that was down when a purge went out gets it when it is back, and one whose purge ledger could not
/// be saved gets it again until it can (`PurgeCoordinator.retryPending()`).
/// Each member's queue holds at most `limitPerMember` commands; past that the oldest are folded into one
/// purge of everything at the newest folded time (hard if any folded command was hard): a member that missed
/// too much on its way back loses more of its cache than strictly needed, but never keeps a purged object.
/// Commands are delivered folded-first, then in the order they were issued; the receiving ledger makes the
/// order irrelevant for correctness and ignores ids it has already applied.
public struct PendingPurges: Sendable, Equatable {
    struct Queue: Sendable, Equatable {
        var commands: [PurgeCommand] = []
        var foldedHard: Double?
        var foldedSoft: Double?

        var count: Int { commands.count + (foldedHard == nil ? 0 : 1) + (foldedSoft == nil ? 0 : 1) }
    }

    public let limitPerMember: Int
    private var queues: [String: Queue] = [:]

    public init(limitPerMember: Int = 1000) {
        self.limitPerMember = max(1, limitPerMember)
    }

    /// Queues `command` for `member`, unless that id is already waiting for it.
    public mutating func enqueue(_ command: PurgeCommand, for member: String) {
        var queue = queues[member, default: Queue()]
        guard !queue.commands.contains(where: { $0.id == command.id }) else { return }
        queue.commands.append(command)
        while queue.commands.count > limitPerMember {
            let oldest = queue.commands.removeFirst()
            switch oldest.mode {
            case .hard: queue.foldedHard = max(queue.foldedHard ?? oldest.issuedAt, oldest.issuedAt)
            case .soft: queue.foldedSoft = max(queue.foldedSoft ?? oldest.issuedAt, oldest.issuedAt)
            }
        }
        queues[member] = queue
    }

    /// What `member` is owed, in delivery order.
    public func commands(for member: String) -> [PurgeCommand] {
        guard let queue = queues[member] else { return [] }
        var commands: [PurgeCommand] = []
        if let time = queue.foldedHard { commands.append(Self.folded(.hard, at: time)) }
        if let time = queue.foldedSoft { commands.append(Self.folded(.soft, at: time)) }
        return commands + queue.commands
    }

    /// Forgets a command once `member` has applied it. A folded command is matched by its id, which encodes
    /// its time, so a fold that grew while it was being delivered stays queued.
    public mutating func delivered(_ command: PurgeCommand, to member: String) {
        guard var queue = queues[member] else { return }
        if let time = queue.foldedHard, Self.folded(.hard, at: time).id == command.id { queue.foldedHard = nil }
        if let time = queue.foldedSoft, Self.folded(.soft, at: time).id == command.id { queue.foldedSoft = nil }
        queue.commands.removeAll { $0.id == command.id }
        queues[member] = queue.count == 0 ? nil : queue
    }

    /// Drops everything owed to a member (e.g. one removed from the configuration).
    public mutating func forget(_ member: String) {
        queues[member] = nil
    }

    /// Members owed something, with how many commands (a fold counts as one).
    public var counts: [String: Int] {
        queues.mapValues(\.count)
    }

    public var isEmpty: Bool { queues.isEmpty }

    static func folded(_ mode: PurgeMode, at time: Double) -> PurgeCommand {
        PurgeCommand(id: "folded-\(mode.rawValue)-\(time)", scope: .all, mode: mode, issuedAt: time)
    }
}
