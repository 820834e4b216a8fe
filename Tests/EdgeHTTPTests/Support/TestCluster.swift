import AsyncHTTPClient
import EdgeCache
import EdgeHTTP
import EdgeOrigin
import EdgeUpstream
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A dev origin and an edge node, both in this process, on ephemeral loopback ports, with content and rules
/// written into a fresh temporary directory. Tests talk to them with a real HTTP client.
final class TestCluster: @unchecked Sendable {
    let directory: URL
    let origin: DevOriginServer
    let originPort: Int
    private(set) var node: EdgeNode
    private(set) var edgePort: Int
    let settings: EdgeNodeSettings
    let client: HTTPClient

    static func start(files: [String: String] = [:], binaryFiles: [String: [UInt8]] = [:], rules: String,
                      configure: (inout EdgeNodeSettings) -> Void = { _ in }) async throws -> TestCluster {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-test-\(UUID().uuidString)")
        let root = directory.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (path, content) in files {
            try write(Array(content.utf8), to: root.appendingPathComponent(path))
        }
        for (path, content) in binaryFiles {
            try write(content, to: root.appendingPathComponent(path))
        }
        let rulesURL = directory.appendingPathComponent("rules.conf")
        try rules.write(to: rulesURL, atomically: true, encoding: .utf8)
        let logger = Logger(label: "test")
        let origin = try DevOriginServer(
            settings: DevOriginSettings(root: root.path, rulesPath: rulesURL.path, port: 0, largeFile: nil),
            logger: logger)
        let originPort = try await origin.start()

        var settings = EdgeNodeSettings(
            name: "edge-test",
            server: ServerSettings(port: 0, headerTimeout: 2, idleTimeout: 5, drainTimeout: 2),
            proxy: ProxySettings(cacheName: "edge-test", policy: StoragePolicy()),
            memoryCapacityBytes: 64 << 20, memoryMaxObjectBytes: 4 << 20,
            diskPath: directory.appendingPathComponent("cache").path, diskCapacityBytes: 256 << 20,
            origins: [Upstream(name: "origin", host: "127.0.0.1", port: originPort)],
            upstreamTimeouts: UpstreamTimeouts(connect: 0.5, firstByte: 5, idle: 5))
        configure(&settings)
        let node = try EdgeNode(settings: settings, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let edgePort = try await node.start()
        var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        clientConfiguration.timeout = .init(connect: .seconds(2), read: .seconds(20))
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: clientConfiguration)
        return TestCluster(directory: directory, origin: origin, originPort: originPort, node: node,
                           edgePort: edgePort, settings: settings, client: client)
    }

    private init(directory: URL, origin: DevOriginServer, originPort: Int, node: EdgeNode, edgePort: Int,
                 settings: EdgeNodeSettings, client: HTTPClient) {
        self.directory = directory
        self.origin = origin
        self.originPort = originPort
        self.node = node
        self.edgePort = edgePort
        self.settings = settings
        self.client = client
    }

    private static func write(_ bytes: [UInt8], to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var cacheStatus: String { headers["cache-status"].joined(separator: ", ") }
    }

    func request(_ path: String, method: HTTPMethod = .GET, headers: [(String, String)] = [],
                 body: String? = nil, port: Int? = nil) async throws -> Response {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port ?? edgePort)\(path)")
        request.method = method
        request.headers = HTTPHeaders(headers)
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        var bytes: [UInt8] = []
        for try await chunk in response.body { bytes += chunk.readableBytesView }
        return Response(status: Int(response.status.code), headers: response.headers, body: bytes)
    }

    /// Stops the edge and starts a new one with the same settings and disk directory (a restart).
    func restartEdge() async throws {
        await node.shutdown()
        var settings = self.settings
        settings.server.port = edgePort
        node = try EdgeNode(settings: settings, group: MultiThreadedEventLoopGroup.singleton,
                            logger: Logger(label: "test"))
        edgePort = try await node.start()
    }

    func shutdown() async {
        await node.shutdown()
        try? await origin.stop()
        try? await client.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}
