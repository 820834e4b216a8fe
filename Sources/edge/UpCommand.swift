import ArgumentParser
import EdgeConfig
import EdgeRuntime
import EdgeTLS
import Foundation

/// `edge up`: run the whole cluster described in the configuration file as local processes.
///
/// Each dev origin and each node runs as its own `edge origin` / `edge run` process, as it would in production,
/// so a crash in one is visible as exactly that. Output is prefixed with the process name. A process that dies
/// is reported by how it ended ("edge-2 killed by SIGKILL") and started again after a back-off (0.5 s doubling
/// to 30 s, reset once it has stayed up 60 s), unless `--no-restart`; Ctrl-C or SIGTERM stops them all cleanly.
struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start every dev origin and node in the configuration file on this machine.",
        discussion: """
            Waits until every listener accepts connections, prints their URLs, then runs until Ctrl-C or SIGTERM, \
            which stops all processes gracefully. If any process fails to start, all are stopped and the exit code \
            is 1. A process that dies later is restarted with back-off (0.5 s doubling to 30 s, reset after 60 s \
            up); with --no-restart it is only reported.
            """
    )

    @Option(name: .long, help: "The cluster configuration file.")
    var config: String = "edge.conf"

    @Option(name: .long, help: "Seconds to wait for every listener to accept connections.")
    var startupTimeout: Double = 30

    @Flag(name: .long, help: "Report a process that dies instead of restarting it.")
    var noRestart = false

    @Flag(name: .long, help: "Once the cluster is up, replay a realistic request mix through the edges (Zipf popularity, cold keys, a purge every 30 s) until stopped, so the dashboard has live graphs.")
    var traffic = false

    @Option(name: .long, help: "Requests per second of --traffic (1 to 1000).")
    var trafficRate: Double = 100

    func run() throws {
        let configuration: EdgeConfiguration
        do {
            configuration = try ConfigLoader.load(path: config)
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
        do {
            if let ca = try Self.ensureDemoCertificates(configuration) {
                // Unbuffered, like the supervisor's own lines, so it shows before the children's output.
                Console.line("edge up: HTTPS clients trust the demo CA \(ca)")
            }
        } catch {
            printError("cannot create the demo certificates under var/tls: \(error)")
            throw ExitCode.failure
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        var plans: [ProcessPlan] = []
        for origin in configuration.origins where origin.isDevOrigin {
            let port = origin.listen?.port ?? origin.endpoint.port
            let host = origin.listen?.host ?? origin.endpoint.host
            plans.append(ProcessPlan(name: origin.name, arguments: ["origin", "--config", config, "--name", origin.name],
                                     host: host, port: port, url: "http://\(host):\(port)/"))
        }
        // Shields before edges, so an edge's first requests find its shields listening.
        let ordered = configuration.nodes.filter { $0.role == .shield } + configuration.nodes.filter { $0.role == .edge }
        for node in ordered {
            plans.append(ProcessPlan(name: node.name, arguments: ["run", "--config", config, "--node", node.name],
                                     host: node.listen.host, port: node.listen.port,
                                     url: "http://\(node.listen.host):\(node.listen.port)/ "
                                        + (node.httpsListen.map { "https://\($0.host):\($0.port)/ " } ?? "")
                                        + "(\(node.role.rawValue), \(node.location.region))"))
        }
        var replay: Task<Void, Never>?
        if traffic {
            let edges = configuration.nodes.filter { $0.role == .edge }.map {
                TrafficReplay.Target(name: $0.name,
                                     baseURL: "http://\(NodeSettingsMapper.reachableHost($0.listen.host)):\($0.listen.port)")
            }
            let adminNode = configuration.nodes.first { $0.adminListen != nil }
            let token = configuration.admin.resolvedToken(environment: ProcessInfo.processInfo.environment)
            let admin: (url: String, token: String)? = adminNode.flatMap { node in
                node.adminListen.flatMap { listen in
                    token.map { (url: "http://\(NodeSettingsMapper.reachableHost(listen.host)):\(listen.port)", token: $0) }
                }
            }
            let replayer = TrafficReplay(edges: edges, host: configuration.cluster.serviceNames.first ?? "localhost",
                                         admin: admin, requestsPerSecond: min(1_000, max(1, trafficRate)))
            replay = Task.detached { await replayer.run() }
        }
        defer { replay?.cancel() }
        let supervisor = Supervisor(executable: executable, restarts: !noRestart)
        let code = supervisor.run(plans, startupTimeout: startupTimeout)
        if code != 0 { throw ExitCode(code) }
    }
}

extension UpCommand {
    /// The demo's certificates: when a `[[tls.certificates]]` entry names `var/tls/edge.pem` beside the
    /// configuration file, a local CA is made there once (`var/tls/ca.pem`) and a certificate it signs for the
    /// service names, the entries' names and every HTTPS listener's address (made again when those change).
    /// Returns the CA's path, or nil when the configuration uses certificates of its own.
    static func ensureDemoCertificates(_ configuration: EdgeConfiguration) throws -> String? {
        let directory = ConfigPaths.resolve("var/tls", against: configuration.baseDirectory)
        let demo = configuration.tls.certificates.filter { $0.certificatePath == directory + "/edge.pem" }
        guard !demo.isEmpty else { return nil }
        var names = configuration.cluster.serviceNames
        for name in demo.flatMap(\.names) where !names.contains(name) { names.append(name) }
        var addresses: [String] = []
        for host in configuration.nodes.compactMap({ $0.httpsListen?.host }) where !addresses.contains(host) {
            addresses.append(host)
        }
        return try DemoCertificateAuthority.ensure(directory: directory, dnsNames: names, ipAddresses: addresses)
            .caCertificate
    }
}

struct ProcessPlan {
    var name: String
    var arguments: [String]
    var host: String
    var port: Int
    var url: String
}
