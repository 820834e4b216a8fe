import EdgeCache

/// How a node talks to other nodes' admin listeners: relaying purges and reading their status. The HTTP
/// implementation is `HTTPAdminPeerClient`; the protocol lets tests count calls or fail them on purpose.
public protocol AdminPeerClient: Sendable {
    /// Sends `command` to `member`'s `POST /purge` as a relay (applied there, not fanned out again).
    func relay(_ command: PurgeCommand, to member: MemberInfo) async throws -> LocalPurgeResult

    /// `member`'s `GET /status`.
    func status(of member: MemberInfo) async throws -> StatusDocument

    /// `member`'s `GET /stats/samples?since=`, for the dashboard's cluster view.
    func stats(of member: MemberInfo, since: Int?) async throws -> NodeStatsDocument
}

extension AdminPeerClient {
    /// Clients that only relay purges (test doubles) answer that they cannot read statistics.
    public func stats(of member: MemberInfo, since: Int?) async throws -> NodeStatsDocument {
        throw AdminPeerError("statistics are not available from \(member.name)")
    }
}

/// Why a call to another node failed, in words for the purge report and logs.
public struct AdminPeerError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
