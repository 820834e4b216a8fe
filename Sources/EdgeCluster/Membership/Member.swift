/// One row of the membership table as a node sees it. A value: snapshots handed out never change under the reader.
public struct Member: Hashable, Sendable, Identifiable {
    public var id: NodeID
    public var address: NodeAddress
    /// Only the member itself raises it (to refute suspicion or announce new metadata); orders conflicting rumours.
    public var incarnation: UInt64
    public var state: MemberState
    public var metadata: NodeMetadata
    /// Last time (seconds since the epoch, the observer's clock) we had first-hand or fresher news of this member.
    public var lastHeard: Double
    /// When `state` last changed; dead and left members are forgotten some time after this.
    public var stateChangedAt: Double

    public init(id: NodeID, address: NodeAddress, incarnation: UInt64, state: MemberState, metadata: NodeMetadata,
                lastHeard: Double, stateChangedAt: Double) {
        self.id = id
        self.address = address
        self.incarnation = incarnation
        self.state = state
        self.metadata = metadata
        self.lastHeard = lastHeard
        self.stateChangedAt = stateChangedAt
    }
}

/// The snapshot type other modules read; the same value type the core keeps.
public typealias MemberSnapshot = Member

/// SWIM member states. `left` differs from `dead` only in how the member got there: it said goodbye.
public enum MemberState: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case alive = 0
    case suspect = 1
    case dead = 2
    case left = 3

    public var description: String {
        switch self {
        case .alive: "alive"
        case .suspect: "suspect"
        case .dead: "dead"
        case .left: "left"
        }
    }

    /// Alive and suspect members are still probed and gossiped to; dead and left ones are not.
    public var isActive: Bool { self == .alive || self == .suspect }
}

/// A change in the membership table, as the core reports it and the health view republishes it.
public enum MembershipEvent: Hashable, Sendable {
    /// A member was heard of for the first time.
    case joined(Member)
    /// A member moved between alive, suspect, dead and left.
    case stateChanged(Member, previous: MemberState)
    /// An alive member announced new metadata or a new address.
    case metadataChanged(Member)
    /// A dead or left member was forgotten after the retention time.
    case removed(Member)

    public var member: Member {
        switch self {
        case .joined(let m), .stateChanged(let m, _), .metadataChanged(let m), .removed(let m): m
        }
    }
}
