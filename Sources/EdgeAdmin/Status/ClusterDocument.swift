/// The body of `GET /cluster`: every member with its own `/status`, fetched in parallel by the node asked.
public struct ClusterDocument: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        /// The member as the asking node sees it (state, role, location, load).
        public var member: MemberInfo
        /// The member's own status; `nil` when it is down or did not answer in time.
        public var status: StatusDocument?
        /// Why `status` is missing.
        public var error: String?
        /// Round-trip time of the status call in milliseconds.
        public var ms: Double?

        public init(member: MemberInfo, status: StatusDocument?, error: String? = nil, ms: Double? = nil) {
            self.member = member
            self.status = status
            self.error = error
            self.ms = ms
        }
    }

    /// The node that gathered the document.
    public var node: String
    public var nodes: [Entry]

    public init(node: String, nodes: [Entry]) {
        self.node = node
        self.nodes = nodes
    }
}
