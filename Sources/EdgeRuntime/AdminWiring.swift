import AsyncHTTPClient
import EdgeAdmin
import EdgeCore
import EdgeCache
import EdgeCluster
import EdgeConfig
import EdgeHTTP
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import ServiceLifecycle

/// The admin API's view of one running node: its cache, counters and metrics, the membership, and purges.
struct NodeAdminBackend: AdminBackend {
    let node: EdgeNode
    let configuration: EdgeConfiguration
    let nodeConfiguration: NodeConfiguration
    let view: ClusterHealthView?

    func snapshot() async -> NodeSnapshot {
        let stats = node.store.stats
        var tiers = [TierUsage(tier: "memory", objects: stats.memory.objects, bytes: stats.memory.bytes,
                               capacityBytes: stats.memory.capacityBytes)]
        if let disk = stats.disk {
            tiers.append(TierUsage(tier: "disk", objects: disk.objects, bytes: disk.bytes,
                                   capacityBytes: disk.capacityBytes))
        }
        return NodeSnapshot(node: nodeConfiguration.name, role: nodeConfiguration.role.rawValue,
                            uptimeSeconds: max(0, wallClockSeconds() - node.startedAt), cache: tiers,
                            hitRatio: node.load.hitRatio, requests: node.load.requestsServed,
                            bytesServed: node.load.bytesServed,
                            purgeRules: node.engine.purgeLedger.snapshot.rules.count, disk: node.diskHealth)
    }

    /// Every node of the file, with its state from gossip (`unknown` without a gossip view; this node is alive).
    func members() async -> [MemberInfo] {
        let gossip = view.map { view in Dictionary(view.members().map { ($0.id.name, $0) }) { first, _ in first } }
        return configuration.nodes.map { other in
            let member = gossip?[other.name]
            let state: MemberInfo.State
            if other.name == nodeConfiguration.name {
                state = .alive
            } else if let member {
                state = MemberInfo.State(rawValue: member.state.description) ?? .unknown
            } else {
                state = gossip == nil ? .unknown : .dead
            }
            let load = member.map { Double($0.metadata.load.activeConnections) }
            return MemberInfo(
                name: other.name, role: other.role.rawValue, state: state,
                location: .init(latitude: other.location.latitude, longitude: other.location.longitude,
                                region: other.location.region),
                load: load,
                adminURL: other.adminListen.map { "http://\(NodeSettingsMapper.reachableHost($0.host)):\($0.port)" },
                httpAddress: "\(other.listen.host):\(other.listen.port)")
        }
    }

    func applyPurge(_ command: EdgeCache.PurgeCommand) async -> LocalPurgeResult {
        let outcome = await node.applyPurge(command)
        return LocalPurgeResult(removed: outcome.effect.removed, marked: outcome.effect.marked,
                                applied: outcome.applied, error: outcome.failure)
    }

    func cacheReport(primaryKey: String) async -> CacheReport {
        let store = node.store
        let engine = node.engine
        let now = wallClockSeconds()
        var variants: [CacheReport.Variant] = []
        for variantKey in store.memory.variantKeys(forPrimaryKey: primaryKey)
            + (store.disk?.variantKeys(forPrimaryKey: primaryKey) ?? []) where !variants.contains(where: { $0.variantKey == variantKey }) {
            let storageKey = EdgeCache.CachedObject.storageKey(primaryKey: primaryKey, variantKey: variantKey)
            var tiers: [String] = []
            if store.memory.contains(storageKey) { tiers.append("memory") }
            if store.disk?.contains(storageKey) == true { tiers.append("disk") }
            // On the I/O pool (the disk read blocks), without promoting or touching recency: looking at the cache
            // must not change it.
            let found = try? await node.ioPool.runIfActive { store.inspect(primaryKey: primaryKey, variantKey: variantKey) }
            guard let (object, _) = found.flatMap({ $0 }) else { continue }
            let (age, ttl) = engine.ageAndTTL(of: object, now: now)
            let verdict = engine.purgeLedger.verdict(primaryKey: primaryKey, tags: object.tags,
                                                     fetchedAt: object.originFetchedAt)
            variants.append(CacheReport.Variant(
                variantKey: variantKey, tiers: tiers, status: object.status, ageSeconds: age,
                ttlSeconds: ttl, tags: object.tags,
                bodyBytes: object.bodyLength, purge: "\(verdict)"))
        }
        return CacheReport(node: nodeConfiguration.name, primaryKey: primaryKey, variants: variants)
    }

    func metricsText() async -> String {
        node.metricsText()
    }
}

/// Runs the admin listener and its timers: ledger pruning every minute, and re-delivery of purges owed to
/// members that were down, on every membership change and every few seconds.
final class AdminService: Service, Sendable {
    private let server: AdminServer
    private let coordinator: PurgeCoordinator
    private let node: EdgeNode
    private let view: ClusterHealthView?
    private let logger: Logger
    private let sampler: StatsSampler

    init(server: AdminServer, coordinator: PurgeCoordinator, node: EdgeNode, view: ClusterHealthView?,
         logger: Logger, sampler: StatsSampler) {
        self.sampler = sampler
        self.server = server
        self.coordinator = coordinator
        self.node = node
        self.view = view
        self.logger = logger
    }

    func run() async throws {
        let port = try await server.start()
        logger.info("admin listener ready", metadata: ["port": "\(port)"])
        let coordinator = self.coordinator
        let node = self.node
        let timers = Task {
            var tick = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(5))
                tick += 1
                _ = await coordinator.retryPending()
                if tick % 12 == 0 { await node.prunePurges() }
            }
        }
        let sampling = Task { [sampler] in await sampler.run() }
        let rejoins = Task { [view] in
            guard let view else { return }
            for await event in view.events() {
                if case .stateChanged(let member, _) = event, member.state == .alive {
                    _ = await coordinator.retryPending()
                }
            }
        }
        try? await gracefulShutdown()
        timers.cancel()
        sampling.cancel()
        rejoins.cancel()
        await server.stop()
    }
}

enum AdminWiring {
    struct WiringError: Error, CustomStringConvertible {
        var description: String
    }

    /// The admin service for a node with `admin_listen`, after wiring the `PURGE` method into its proxy.
    /// - Parameter reloads: where the service registers what a reload changes in it (the token, the PURGE
    ///   allow-list).
    static func makeService(configuration: EdgeConfiguration, nodeConfiguration: NodeConfiguration, node: EdgeNode,
                            view: ClusterHealthView?, group: any EventLoopGroup, logger: Logger,
                            reloads: ReloadHooks? = nil) throws -> AdminService? {
        guard let listen = nodeConfiguration.adminListen else { return nil }
        let (secret, token) = try self.token(configuration, node: nodeConfiguration)
        let backend = NodeAdminBackend(node: node, configuration: configuration, nodeConfiguration: nodeConfiguration,
                                       view: view)
        let peers = HTTPAdminPeerClient(token: secret)
        let coordinator = PurgeCoordinator(localName: nodeConfiguration.name,
                                           localRole: nodeConfiguration.role.rawValue, backend: backend,
                                           peers: peers, logger: logger, now: wallClockSeconds)
        let stats = NodeStatsRecorder()
        let router = AdminRouter(localName: nodeConfiguration.name, token: token, backend: backend,
                                 coordinator: coordinator, peers: peers, logger: logger,
                                 now: wallClockSeconds, stats: stats, localRole: nodeConfiguration.role.rawValue)
        let limits = nodeConfiguration.limits
        let connectionLimits = ConnectionGuard.Limits(
            headerTimeout: limits.headerTimeout.seconds, idleTimeout: limits.idleTimeout.seconds,
            bodyTimeout: limits.bodyTimeout.seconds,
            maxHeadBytes: AdminServer.defaultConnectionLimits.maxHeadBytes)
        let server = AdminServer(host: listen.host, port: listen.port, router: router, group: group, logger: logger,
                                 connectionLimits: connectionLimits)
        node.engine.purgeMethod.set(purgeMethodHandler(coordinator: coordinator, admin: configuration.admin,
                                                       logger: logger, stats: stats))
        reloads?.register { new, newNode in
            // A node losing admin_listen keeps its listener until a restart (the plan says so), and its token.
            guard newNode.adminListen != nil else { return {} }
            // Checked before anything is applied: a reload without a usable token is refused whole.
            let (secret, token) = try self.token(new, node: newNode)
            return {
                router.updateToken(token)
                peers.updateToken(secret)
                node.engine.purgeMethod.set(purgeMethodHandler(coordinator: coordinator, admin: new.admin,
                                                               logger: logger, stats: stats))
            }
        }
        return AdminService(server: server, coordinator: coordinator, node: node, view: view, logger: logger,
                            sampler: StatsSampler(node: node, backend: backend, recorder: stats))
    }

    /// The admin token for a node with `admin_listen` (from `[admin] token` or the environment), as sent to
    /// peers and as checked; refused when missing or too short.
    static func token(_ configuration: EdgeConfiguration, node: NodeConfiguration) throws -> (String, AdminToken) {
        guard let secret = configuration.admin.resolvedToken(environment: ProcessInfo.processInfo.environment),
              let token = AdminToken(secret) else {
            throw WiringError(description: "\(configuration.sourcePath): node \(node.name) has "
                + "admin_listen but no admin token: set [admin] token (at least \(AdminToken.minimumLength) "
                + "characters) or \(AdminSettings.tokenEnvironmentVariable)")
        }
        return (secret, token)
    }

    /// `PURGE /path` from an address in `[admin] purge_allow`: a cluster-wide hard purge of that URL (soft with
    /// `Purge-Mode: soft`), answered with the purge report as JSON; 403 for anyone else.
    static func purgeMethodHandler(coordinator: PurgeCoordinator, admin: AdminSettings,
                                   logger: Logger, stats: NodeStatsRecorder? = nil) -> PurgeMethodHandler {
        { request, primaryKey in
            guard admin.allowsPurge(from: request.clientAddress) else {
                logger.warning("PURGE refused", metadata: ["client": "\(request.clientAddress)",
                                                           "target": "\(request.head.uri)"])
                return LocalEndpoints.text(.forbidden, "{\"error\":\"PURGE is not allowed from \(request.clientAddress)\"}\n",
                                           contentType: "application/json")
            }
            let soft = request.head.headers.first(name: "purge-mode")?.lowercased() == "soft"
            let report = await coordinator.purge(.url(primaryKey), mode: soft ? .soft : .hard)
            stats?.recordPurge(report)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body = (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return LocalEndpoints.text(report.complete ? .ok : .accepted, body + "\n", contentType: "application/json")
        }
    }
}
