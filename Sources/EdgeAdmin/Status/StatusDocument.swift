/// The body of `GET /status`: the node's snapshot, the members it knows and the purges it still owes them.
public struct StatusDocument: Codable, Sendable, Equatable {
    public var snapshot: NodeSnapshot
    public var members: [MemberInfo]
    /// Purges waiting for a member that was down, by member name (only members with some).
    public var pendingPurges: [String: Int]

    public init(snapshot: NodeSnapshot, members: [MemberInfo], pendingPurges: [String: Int] = [:]) {
        self.snapshot = snapshot
        self.members = members
        self.pendingPurges = pendingPurges
    }

    enum CodingKeys: String, CodingKey {
        case members
        case pendingPurges = "pending_purges"
    }

    /// Flat JSON: the snapshot's keys (`node`, `role`, `uptime_seconds`, `cache`, `hit_ratio`, ...) sit beside
    /// `members` and `pending_purges`, so `jq .node` works.
    public init(from decoder: any Decoder) throws {
        snapshot = try NodeSnapshot(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        members = try container.decodeIfPresent([MemberInfo].self, forKey: .members) ?? []
        pendingPurges = try container.decodeIfPresent([String: Int].self, forKey: .pendingPurges) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        try snapshot.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(members, forKey: .members)
        try container.encode(pendingPurges, forKey: .pendingPurges)
    }
}
