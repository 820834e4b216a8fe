import EdgeCache

/// One node's part in a purge.
public struct NodePurgeResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, Equatable {
        /// Applied (or already applied: see `applied`).
        case ok
        /// Not reachable now; queued and retried when the member is alive again.
        case pending
        /// Cannot be reached at all (no admin address).
        case skipped
        /// Answered, but could not make the purge durable (see `error`); queued and retried like `pending`.
        case failed
    }

    public var node: String
    public var role: String
    public var status: Status
    public var removed: Int
    public var marked: Int
    /// `false` when the node had already applied this command.
    public var applied: Bool
    /// Time for this node, from the coordinator's view (relay round trip), in milliseconds.
    public var ms: Double
    public var error: String?

    public init(node: String, role: String, status: Status, removed: Int = 0, marked: Int = 0, applied: Bool = false,
                ms: Double = 0, error: String? = nil) {
        self.node = node
        self.role = role
        self.status = status
        self.removed = removed
        self.marked = marked
        self.applied = applied
        self.ms = ms
        self.error = error
    }
}

/// The answer to a client's purge: the command, every node's result (local node first, then shields, then
/// edges) and the total time until the last node answered.
public struct PurgeReport: Codable, Sendable, Equatable {
    public var id: String
    /// `url`, `prefix`, `tag` or `all`.
    public var scope: String
    /// The normalised key, prefix or tag; absent for `all`.
    public var value: String?
    public var mode: String
    public var issuedAt: Double
    public var nodes: [NodePurgeResult]
    public var totalMs: Double

    public init(command: PurgeCommand, nodes: [NodePurgeResult], totalMs: Double) {
        id = command.id
        scope = command.scope.kind
        value = command.scope.value
        mode = command.mode.rawValue
        issuedAt = command.issuedAt
        self.nodes = nodes
        self.totalMs = totalMs
    }

    /// Every node applied it durably now (none pending, skipped or failed).
    public var complete: Bool { nodes.allSatisfy { $0.status == .ok } }

    enum CodingKeys: String, CodingKey {
        case id, scope, value, mode, nodes, complete
        case issuedAt = "issued_at"
        case totalMs = "total_ms"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        scope = try container.decode(String.self, forKey: .scope)
        value = try container.decodeIfPresent(String.self, forKey: .value)
        mode = try container.decode(String.self, forKey: .mode)
        issuedAt = try container.decode(Double.self, forKey: .issuedAt)
        nodes = try container.decode([NodePurgeResult].self, forKey: .nodes)
        totalMs = try container.decode(Double.self, forKey: .totalMs)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(scope, forKey: .scope)
        try container.encodeIfPresent(value, forKey: .value)
        try container.encode(mode, forKey: .mode)
        try container.encode(issuedAt, forKey: .issuedAt)
        try container.encode(nodes, forKey: .nodes)
        try container.encode(totalMs, forKey: .totalMs)
        try container.encode(complete, forKey: .complete)
    }
}
