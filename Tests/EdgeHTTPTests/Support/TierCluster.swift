import AsyncHTTPClient
import EdgeOrigin
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A tiered cluster for process tests: a dev origin in this process (so tests can count its requests and
/// stop it), and shields and edges as real `edge run` processes from a generated `edge.conf`.
final class TierCluster: @unchecked Sendable {
    struct Node {
        var name: String
        var role: String
        var port: Int
        var adminPort: Int = freePort()
        var extra: String = ""
    }

    static let adminToken = "tier-test-admin-token"

    let directory: URL
    let origin: DevOriginServer
    let originPort: Int
    private(set) var nodes: [Node]
    let client: HTTPClient
    private(set) var processes: [String: EdgeProcess] = [:]

    /// - Parameters:
    ///   - files: path → content of the origin's files.
    ///   - rules: the origin's rules file.
    ///   - upstream: extra lines for `[defaults.upstream]`.
    ///   - originProcess: also run the dev origin as a real `edge origin` process (node name `origin`) and
    ///     point the nodes at it instead, so a test can SIGKILL or SIGSTOP it.
    ///   - admin: extra lines for `[admin]`.
    static func start(shields: Int, edges: Int, files: [String: String], rules: String, upstream: String = "",
                      admin: String = "", nodeExtras: [String: String] = [:],
                      originProcess: Bool = false) async throws -> TierCluster {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-tiers-\(UUID().uuidString)")
        let root = directory.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (path, content) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
        let rulesURL = directory.appendingPathComponent("rules.conf")
        try rules.write(to: rulesURL, atomically: true, encoding: .utf8)
        let origin = try DevOriginServer(
            settings: DevOriginSettings(root: root.path, rulesPath: rulesURL.path, port: 0, largeFile: nil),
            logger: Logger(label: "origin"))
        var originPort = try await origin.start()
        var originChild: EdgeProcess?
        if originProcess {
            originPort = freePort()
            originChild = try EdgeProcess.start(["origin", "--root", root.path, "--rules", rulesURL.path,
                                                 "--host", "127.0.0.1", "--port", String(originPort)],
                                                in: directory, logName: "origin-\(UUID().uuidString.prefix(4))")
            try await originChild?.waitForListener(port: originPort)
        }

        var nodes = (1...max(1, shields)).prefix(shields).map { Node(name: "shield-\($0)", role: "shield", port: freePort()) }
        nodes += (1...max(1, edges)).prefix(edges).map { Node(name: "edge-\($0)", role: "edge", port: freePort()) }
        for index in nodes.indices { nodes[index].extra = nodeExtras[nodes[index].name] ?? "" }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(20))
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let cluster = TierCluster(directory: directory, origin: origin, originPort: originPort, nodes: nodes,
                                  client: client)
        if let originChild { cluster.processes["origin"] = originChild }
        do {
            try await cluster.startNodes(upstream: upstream, admin: admin)
        } catch {
            await cluster.shutdown()  // the HTTP client and any started process must not outlive a failed start
            throw error
        }
        return cluster
    }

    /// Writes `edge.conf` and starts every node, shields first so edges find them up. A node that lost its port
    /// to another process between `freePort()` and its bind gets fresh ports, and the whole set starts again.
    private func startNodes(upstream: String, admin: String, attempts: Int = 3) async throws {
        for attempt in 1...attempts {
            try config(upstream: upstream, admin: admin).write(to: directory.appendingPathComponent("edge.conf"),
                                                               atomically: true, encoding: .utf8)
            do {
                for node in nodes.sorted(by: { $0.role > $1.role }) { try await startNode(node.name) }
                return
            } catch let exited as EdgeProcess.ExitedBeforeListening where exited.lostPortRace && attempt < attempts {
                for name in Array(processes.keys) where name != "origin" { await kill(name) }
                for index in nodes.indices {
                    nodes[index].port = freePort()
                    nodes[index].adminPort = freePort()
                }
            }
        }
    }

    private init(directory: URL, origin: DevOriginServer, originPort: Int, nodes: [Node], client: HTTPClient) {
        self.directory = directory
        self.origin = origin
        self.originPort = originPort
        self.nodes = nodes
        self.client = client
    }

    func config(upstream: String, admin: String = "") -> String {
        // A key given in `upstream` replaces the default line for it (TOML allows a key only once per table).
        let overridden = Set(upstream.split(separator: "\n").compactMap {
            $0.split(separator: "=").first.map { $0.trimmingCharacters(in: .whitespaces) }
        })
        let upstreamDefaults = """
            origins = ["http://127.0.0.1:\(originPort)"]
            connect_timeout = "500ms"
            first_byte_timeout = "3s"
            failure_threshold = 2
            failure_backoff = "5s"
            health_check_interval = "250ms"
            health_check_timeout = "250ms"
            health_check_path = "/__origin/health"
            request_budget = "8s"
            """.split(separator: "\n").filter { line in
                !overridden.contains(line.split(separator: "=")[0].trimmingCharacters(in: .whitespaces))
            }.joined(separator: "\n")
        var text = """
            [cluster]
            name = "tier-test"
            service_names = ["www.tier.test"]

            [defaults.upstream]
            \(upstreamDefaults)
            \(upstream)

            [admin]
            token = "\(Self.adminToken)"
            \(admin)

            [defaults.cache]
            disk_size = "0"
            stale_if_error = "10m"

            [defaults.logging]
            access_log = false

            """
        for (index, node) in nodes.enumerated() {
            text += """

                [[nodes]]
                name = "\(node.name)"
                role = "\(node.role)"
                listen = "127.0.0.1:\(node.port)"
                admin_listen = "127.0.0.1:\(node.adminPort)"
                location = { latitude = \(index), longitude = \(index), region = "r\(index)" }
                \(node.extra)

                """
        }
        return text
    }

    func port(_ name: String) -> Int { nodes.first { $0.name == name }?.port ?? 0 }
    func adminPort(_ name: String) -> Int { nodes.first { $0.name == name }?.adminPort ?? 0 }

    /// A call to a node's admin API; the token is sent unless `token` is nil.
    func admin(_ method: HTTPMethod, _ path: String, on name: String, body: String? = nil,
               token: String? = TierCluster.adminToken) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(adminPort(name))\(path)")
        request.method = method
        if let token { request.headers.add(name: "authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        var text = ""
        for try await chunk in response.body { text += String(buffer: chunk) }
        return (Int(response.status.code), text)
    }

    var edges: [Node] { nodes.filter { $0.role == "edge" } }

    func startNode(_ name: String) async throws {
        processes[name] = try EdgeProcess.start(["run", "--config", "edge.conf", "--node", name], in: directory,
                                                logName: "\(name)-\(UUID().uuidString.prefix(4))")
        try await processes[name]?.waitForListener(port: port(name))
    }

    /// Stops a node gracefully (SIGTERM), as an operator's restart would; SIGKILL if it does not exit in time.
    /// Returns its log.
    @discardableResult
    func stop(_ name: String) async -> String {
        guard let process = processes[name] else { return "" }
        process.signal(SIGTERM)
        if await process.waitForExit(seconds: 10) == nil {
            process.signal(SIGKILL)
            _ = await process.waitForExit(seconds: 5)
        }
        processes[name] = nil
        return process.log
    }

    /// Sends `number` to a node's (or, with `originProcess`, the origin's) process: SIGSTOP hangs it with its
    /// listener still accepting connections.
    func signal(_ name: String, _ number: Int32) {
        processes[name]?.signal(number)
    }

    func kill(_ name: String) async {
        guard let process = processes[name] else { return }
        process.signal(SIGKILL)
        _ = await process.waitForExit(seconds: 5)
        processes[name] = nil
    }

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var seconds: Double
        var cacheStatus: String { headers["cache-status"].joined(separator: ", ") }
        /// The cache named first in Cache-Status: the tier closest to the origin that answered.
        var firstCache: String? {
            cacheStatus.split(separator: ",").first.map { String($0.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces) }
        }
    }

    /// GET `path` from node `name`, with the site's host name so every tier shares one cache key.
    func get(_ path: String, from name: String, headers: [(String, String)] = []) async throws -> Response {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port(name))\(path)")
        request.headers.add(name: "host", value: "www.tier.test")
        for (field, value) in headers { request.headers.add(name: field, value: value) }
        let started = Date()
        let response = try await client.execute(request, timeout: .seconds(30))
        var body = ""
        for try await chunk in response.body { body += String(buffer: chunk) }
        return Response(status: Int(response.status.code), headers: response.headers, body: body,
                        seconds: Date().timeIntervalSince(started))
    }

    /// The combined output of a node's process, for failure messages.
    func log(_ name: String) -> String { processes[name]?.log ?? "" }

    func shutdown() async {
        for (_, process) in processes {
            process.signal(SIGCONT)  // a stopped process would not act on SIGTERM
            process.signal(SIGTERM)
        }
        for (_, process) in processes {
            if await process.waitForExit(seconds: 5) == nil { process.signal(SIGKILL) }
        }
        processes = [:]
        try? await origin.stop()
        try? await client.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}
