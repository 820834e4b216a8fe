import Foundation

/// One member as `/members?format=json` publishes it: the single definition both the writer (the node's operator
/// listener) and the readers (`edge route`, tests, the dashboard) use, so a renamed or retyped field is a compile
/// error rather than a silent `nil` on the reading side.
public struct MemberRecord: Codable, Equatable, Sendable {
    public var name: String
    /// `alive`, `suspect`, `dead` or `left`.
    public var state: String
    public var incarnation: UInt64
    /// Whether this row is the node that answered.
    public var isSelf: Bool
    public var role: String
    /// The member's gossip address.
    public var gossip: String
    /// The member's public HTTP listener.
    public var http: String
    public var region: String
    public var latitude: Double
    public var longitude: Double
    public var draining: Bool
    public var activeConnections: Int
    public var requestsPerSecond: Double
    /// Fraction of cache capacity in use, 0…1.
    public var cacheFill: Double
    /// Seconds since the epoch, the answering node's clock.
    public var lastHeard: Double

    enum CodingKeys: String, CodingKey {
        case name, state, incarnation, isSelf = "self", role, gossip, http, region, latitude, longitude, draining,
             activeConnections, requestsPerSecond, cacheFill, lastHeard
    }

    public init(_ member: MemberSnapshot, local: NodeID) {
        let metadata = member.metadata
        name = member.id.name
        state = member.state.description
        incarnation = member.incarnation
        isSelf = member.id == local
        role = metadata.role.description
        gossip = member.address.description
        http = metadata.publicHTTPAddress
        region = metadata.region
        latitude = metadata.latitude
        longitude = metadata.longitude
        draining = metadata.draining
        activeConnections = Int(metadata.load.activeConnections)
        requestsPerSecond = metadata.load.requestsPerSecond
        cacheFill = metadata.load.cacheFill
        lastHeard = member.lastHeard
    }
}

/// The `/members?format=json` body: an array of `MemberRecord`, keys sorted.
public enum MembersDocument {
    public static func encode(_ members: [MemberSnapshot], local: NodeID) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(members.map { MemberRecord($0, local: local) }) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `nil` when the body is not a members document.
    public static func decode(_ data: Data) -> [MemberRecord]? {
        try? JSONDecoder().decode([MemberRecord].self, from: data)
    }
}
