import EdgeCluster
import EdgeConfig
import EdgeConnection
import EdgeDNS
import EdgeHTTP
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// Why a node could not be assembled from its configuration: the message is for the operator, as printed.
public struct NodeAssemblyError: Error, CustomStringConvertible {
    public var description: String
}

/// One running node, built from its configuration in one place: the HTTP node (cache, proxy, listeners), its
/// gossip member, routing (the HTTP route endpoint and the DNS responder), the admin listener, and the reload and
/// log-reopen signals. Every part is built before the node starts and nothing is attached afterwards, so what a
/// node consists of is readable here top to bottom; `edge run` only loads the file and calls `run()`.
public final class NodeAssembly: Sendable {
    public let edgeNode: EdgeNode
    private let services: [ServiceGroupConfiguration.ServiceConfiguration]
    private let reloader: NodeReloader
    private let pidFile: String
    private let logger: Logger

    /// - Parameters:
    ///   - configPath: the file `configuration` came from, which SIGHUP re-reads.
    ///   - fixedLogLevel: the log level was set on the command line, so a reload must not change it.
    ///   - build: the version and commit `edge_build_info` reports.
    public init(configuration: EdgeConfiguration, nodeConfiguration: NodeConfiguration, configPath: String,
                fixedLogLevel: Bool, build: (version: String, commit: String) = ("dev", "unknown"),
                group: any EventLoopGroup, logger: Logger) throws(NodeAssemblyError)
    {
        do {
            // Everything that can be refused is checked before anything holding resources is built.
            var settings = try NodeSettingsMapper.settings(for: nodeConfiguration, in: configuration)
            settings.buildVersion = build.version
            settings.buildCommit = build.commit
            let zone = try nodeConfiguration.dnsListen.map { _ in try DNSWiring.zone(configuration) }
            let gossip = try GossipWiring.makeNode(for: nodeConfiguration, in: configuration, group: group,
                                                   logger: logger)
            // Routing answers from this node's gossip view: the HTTP route endpoint on every node, and a DNS
            // responder where dns_listen is set.
            let resolver = DNSWiring.resolver(configuration, view: gossip?.healthView)
            var operatorRoutes: [String: OperatorRoute] = [:]
            if let gossip { operatorRoutes["/members"] = GossipWiring.membersRoute(gossip) }
            let localEndpoints: [String: LocalEndpoints.Handler] = [
                "route": RouteEndpoint.handler(resolver: resolver, configuration: configuration),
            ]
            let dnsServer = nodeConfiguration.dnsListen.flatMap { listen in
                zone.map { zone in
                    DNSServer(host: listen.host, port: listen.port, zone: zone, group: group, logger: logger,
                              route: { resolver.answer($0) })
                }
            }
            let registry = PrometheusCollectorRegistry()
            let clusterMetrics = ClusterMetrics(registry: registry)
            let edgeNode = try EdgeNode(settings: settings, group: group, logger: logger, registry: registry,
                                        operatorRoutes: operatorRoutes, localEndpoints: localEndpoints,
                                        scrapeHooks: [clusterMetrics.hook(gossip: gossip?.healthView, dns: dnsServer)])
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: edgeNode)]
            // What the parts beside the HTTP node take from a reload (SIGHUP).
            let reloads = ReloadHooks()
            if let admin = try AdminWiring.makeService(
                configuration: configuration, nodeConfiguration: nodeConfiguration, node: edgeNode,
                view: gossip?.healthView, group: group, logger: logger, reloads: reloads) {
                services.append(.init(service: admin))
            }
            if let dnsServer {
                services.append(.init(service: DNSService(server: dnsServer, logger: logger)))
                reloads.register { new, newNode in
                    // Zone data is live; losing dns_listen needs a restart (the plan says so).
                    guard newNode.dnsListen != nil else { return {} }
                    let zone = try DNSWiring.zone(new)
                    return { dnsServer.updateZone(zone) }
                }
            }
            if let gossip {
                services.append(.init(service: GossipService(gossip: gossip, node: nodeConfiguration,
                                                             edgeNode: edgeNode, logger: logger)))
            }
            self.edgeNode = edgeNode
            self.services = services
            self.reloader = NodeReloader(path: configPath, node: nodeConfiguration.name, running: configuration,
                                         edgeNode: edgeNode, logger: logger, fixedLogLevel: fixedLogLevel,
                                         hooks: reloads)
            self.pidFile = PidFile.path(for: nodeConfiguration)
            self.logger = logger
        } catch let error as NodeAssemblyError {
            throw error
        } catch {
            throw NodeAssemblyError(description: "\(error)")
        }
    }

    /// Runs every part until SIGTERM or SIGINT, with SIGHUP reloading and SIGUSR1 reopening logs meanwhile.
    public func run() async throws {
        let reloadSignal = reloader.handleSIGHUP()
        if let failure = PidFile.write(to: pidFile) {
            logger.warning("cannot write the pid file; `edge reload` will not find this node",
                           metadata: ["path": "\(pidFile)", "error": "\(failure)"])
        }
        let logReopen = LogReopenSignal.install(node: edgeNode)
        defer {
            logReopen.cancel()
            reloadSignal.cancel()
            PidFile.remove(at: pidFile)
        }
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Before anything else at start-up: a SIGHUP arriving while the node is built must not end the process
    /// (its default action).
    public static func ignoreSIGHUP() {
        NodeReloader.ignoreSIGHUP()
    }
}
