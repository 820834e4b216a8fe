import AsyncHTTPClient
import EdgeAdmin
import EdgeCache
import EdgeCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One node's admin listener on 127.0.0.1 with a fake backend.
struct AdminNode {
    static let token = "test-admin-token-0123456789"

    let backend: FakeBackend
    let coordinator: PurgeCoordinator
    let server: AdminServer
    let port: Int

    var url: String { "http://127.0.0.1:\(port)" }

    var member: MemberInfo {
        MemberInfo(name: backend.name, role: backend.role, state: .alive,
                   location: .init(latitude: 50.11, longitude: 8.68, region: "eu-central"), load: 0.25,
                   adminURL: url, httpAddress: "127.0.0.1:8081")
    }

    /// Starts a node; `port` 0 picks a free one.
    static func start(_ backend: FakeBackend, port: Int = 0, peers: (any AdminPeerClient)? = nil,
                      relayTimeout: TimeAmount = .seconds(2),
                      connectionLimits: ConnectionGuard.Limits = AdminServer.defaultConnectionLimits)
        async throws -> AdminNode
    {
        var logger = Logger(label: "test.admin.\(backend.name)")
        logger.logLevel = .critical
        let peers = peers ?? HTTPAdminPeerClient(token: token, relayTimeout: relayTimeout,
                                                 statusTimeout: .milliseconds(500))
        let coordinator = PurgeCoordinator(localName: backend.name, localRole: backend.role, backend: backend,
                                           peers: peers, pendingLimitPerMember: 10, logger: logger,
                                           now: { Date().timeIntervalSince1970 })
        guard let token = AdminToken(token) else { throw AdminPeerError("token too short") }
        let router = AdminRouter(localName: backend.name, token: token, backend: backend, coordinator: coordinator,
                                 peers: peers, logger: logger, now: { Date().timeIntervalSince1970 })
        let server = AdminServer(host: "127.0.0.1", port: port, router: router, logger: logger,
                                 connectionLimits: connectionLimits)
        let bound = try await server.start()
        return AdminNode(backend: backend, coordinator: coordinator, server: server, port: bound)
    }
}

/// A small HTTP client for the tests that does not follow redirects (the login test looks at the 303).
struct TestClient {
    let client = HTTPClient(eventLoopGroupProvider: .singleton,
                            configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    struct Reply {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }

        func json<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONDecoder().decode(type, from: Data(body))
        }

        /// The body as a JSON object, for asserting on its shape.
        func object() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw AdminPeerError("not a JSON object: \(text)")
            }
            return object
        }

        var errorMessage: String? { (try? json(AdminResponse.ErrorBody.self))?.error }
    }

    func request(_ url: String, method: HTTPMethod = .GET, token: String? = AdminNode.token,
                 headers: [(String, String)] = [], body: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        return Reply(status: response.status, headers: response.headers, body: Array(bytes.readableBytesView))
    }

    func shutdown() async {
        try? await client.shutdown()
    }
}

/// Starts one admin node per backend, runs `body` with them and a client, and always stops them after.
func withAdminNodes(_ backends: [FakeBackend],
                    _ body: ([AdminNode], TestClient) async throws -> Void) async throws {
    var nodes: [AdminNode] = []
    let http = TestClient()
    func cleanUp() async {
        for node in nodes { await node.server.stop() }
        await http.shutdown()
    }
    do {
        for backend in backends { nodes.append(try await AdminNode.start(backend)) }
        try await body(nodes, http)
    } catch {
        await cleanUp()
        throw error
    }
    await cleanUp()
}
