import AsyncHTTPClient
import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

/// `AdminPeerClient` over HTTP/1.1, sending the cluster's admin token as a bearer token (one token for the
/// whole cluster, so every node can relay to every other).
public struct HTTPAdminPeerClient: AdminPeerClient {
    /// The header that marks a relayed purge; its value is the command id.
    public static let relayHeader = "Edge-Purge-Relay"
    static let maxResponseBytes = 4 << 20

    private let client: HTTPClient
    /// Replaced on reload (`updateToken`), so relays to peers that reloaded the same file keep working.
    private let currentToken: LiveValue<String>
    private var token: String { currentToken.current }
    private let relayTimeout: TimeAmount
    private let statusTimeout: TimeAmount

    /// The timeouts bound how long one unreachable member can delay a purge report or `/cluster`.
    public init(token: String, client: HTTPClient = .shared, relayTimeout: TimeAmount = .seconds(2),
                statusTimeout: TimeAmount = .seconds(1)) {
        self.client = client
        self.currentToken = LiveValue(token)
        self.relayTimeout = relayTimeout
        self.statusTimeout = statusTimeout
    }

    /// Takes the new admin token for the requests sent from now on.
    public func updateToken(_ token: String) {
        currentToken.replace(with: token)
    }

    public func relay(_ command: PurgeCommand, to member: MemberInfo) async throws -> LocalPurgeResult {
        var request = try makeRequest(member, path: "/purge")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: Self.relayHeader, value: command.id)
        request.body = .bytes(PurgeRequest.relayBody(for: command))
        let result = try await send(request, timeout: relayTimeout, as: NodePurgeResult.self)
        return LocalPurgeResult(removed: result.removed, marked: result.marked, applied: result.applied,
                                error: result.status == .ok ? nil : result.error ?? "not applied")
    }

    public func status(of member: MemberInfo) async throws -> StatusDocument {
        try await send(try makeRequest(member, path: "/status"), timeout: statusTimeout, as: StatusDocument.self)
    }

    public func stats(of member: MemberInfo, since: Int?) async throws -> NodeStatsDocument {
        try await send(try makeRequest(member, path: "/stats/samples" + (since.map { "?since=\($0)" } ?? "")),
                       timeout: statusTimeout, as: NodeStatsDocument.self)
    }

    private func makeRequest(_ member: MemberInfo, path: String) throws -> HTTPClientRequest {
        guard let base = member.adminURL else { throw AdminPeerError("\(member.name) has no admin address") }
        var request = HTTPClientRequest(url: (base.hasSuffix("/") ? String(base.dropLast()) : base) + path)
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        return request
    }

    private func send<T: Decodable>(_ request: HTTPClientRequest, timeout: TimeAmount, as type: T.Type) async throws -> T {
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch {
            throw AdminPeerError("unreachable: \(error)")
        }
        let bytes = Array(body.readableBytesView)
        guard response.status == .ok else {
            let message = (try? AdminJSON.decode(AdminResponse.ErrorBody.self, from: bytes))?.error
            throw AdminPeerError("answered \(response.status.code)" + (message.map { ": \($0)" } ?? ""))
        }
        do {
            return try AdminJSON.decode(type, from: bytes)
        } catch {
            throw AdminPeerError("answered with an unreadable body")
        }
    }
}
