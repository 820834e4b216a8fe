/// A protocol message as the core produces and consumes it, before encoding. The simulator passes these
/// directly; the UDP shell runs them through `SWIMCodec`.
public struct SWIMMessage: Hashable, Sendable {
    public var sender: NodeID
    public var kind: Kind
    /// Piggybacked membership updates (infection-style dissemination).
    public var updates: [MembershipUpdate]

    public init(sender: NodeID, kind: Kind, updates: [MembershipUpdate] = []) {
        self.sender = sender
        self.kind = kind
        self.updates = updates
    }

    public enum Kind: Hashable, Sendable {
        /// "Are you there?" Answered by `ack` with the same sequence number.
        case ping(sequence: UInt32)
        /// "Please ping `target` for me"; the helper answers `ack` (target answered) or, with Lifeguard, `nack`.
        case pingRequest(sequence: UInt32, target: NodeID, targetAddress: NodeAddress)
        case ack(sequence: UInt32)
        /// The helper of an indirect probe heard nothing from the target either.
        case nack(sequence: UInt32)
        /// A new node asks a seed for the membership; its own alive record rides along.
        case join
        /// Part of a seed's answer to `join`; the updates are the seed's membership table.
        case joinReply
        /// Updates only, nothing to answer: periodic gossip and the graceful-leave notice.
        case gossip
    }
}

/// One rumour about one member. Conflicts are settled by incarnation, then by state precedence
/// (alive < suspect < dead/left at the same incarnation), exactly as in SWIM §4.2.
public struct MembershipUpdate: Hashable, Sendable {
    public var member: NodeID
    public var incarnation: UInt64
    public var change: Change

    public init(member: NodeID, incarnation: UInt64, change: Change) {
        self.member = member
        self.incarnation = incarnation
        self.change = change
    }

    public enum Change: Hashable, Sendable {
        /// Alive records carry where to reach the member and its metadata, so they double as join announcements.
        case alive(address: NodeAddress, metadata: NodeMetadata)
        /// `by` is the suspecting member; distinct suspectors are Lifeguard's independent confirmations.
        case suspect(by: NodeID)
        case dead
        case left
    }

    static func alive(_ member: Member) -> MembershipUpdate {
        MembershipUpdate(member: member.id, incarnation: member.incarnation,
                         change: .alive(address: member.address, metadata: member.metadata))
    }
}

/// What the core asks its shell to do. The core never performs I/O itself.
public enum SWIMDirective: Hashable, Sendable {
    case send(SWIMMessage, to: NodeAddress)
    case event(MembershipEvent)
}
