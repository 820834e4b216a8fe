import EdgeCache
import EdgeUpstream
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import Synchronization

/// One running node: its store, upstream client, proxy engine, public listener and metrics listener.
///
/// As a ServiceLifecycle service it serves until graceful shutdown, drains in-flight requests, then releases
/// the upstream pool and flushes the access log.
public final class EdgeNode: Service, Sendable {
    public let settings: EdgeNodeSettings
    public let store: TieredStore
    public let engine: ProxyEngine
    public let server: EdgeServer
    public let metricsEndpoint: MetricsEndpoint?
    public let registry: PrometheusCollectorRegistry
    /// Connections and requests, for the load this node gossips.
    public let load = LoadCounters()
    /// Every health signal about this node's upstreams; gossip adds its verdicts here.
    public let health: HealthBoard
    /// The upstream plan: home shield by rendezvous hashing, failover, origin pool.
    public let chooser: TieredChooser
    private let checker: ActiveHealthChecker?
    private let checkerTask = Mutex<Task<Void, Never>?>(nil)
    private let drainFlag = DrainFlag()
    private let ledgerFile: PurgeLedgerFile?
    /// When the node started, seconds since the epoch.
    public let startedAt = wallClockSeconds()
    private let client: UpstreamClient
    private let ioPool: NIOThreadPool
    private let accessLog: AccessLog?
    private let logger: Logger

    /// - Parameter operatorRoutes: extra `GET` paths served on the metrics listener (for example the membership
    ///   table), so modules above this one can expose their state without a listener of their own.
    public init(settings: EdgeNodeSettings, group: any EventLoopGroup, logger: Logger,
                operatorRoutes: [String: OperatorRoute] = [:]) throws {
        self.settings = settings
        self.logger = logger
        let memory = MemoryTier(capacityBytes: settings.memoryCapacityBytes,
                                maxObjectBytes: settings.memoryMaxObjectBytes)
        var disk: DiskTier?
        if let path = settings.diskPath {
            disk = try DiskTier(directory: path, capacityBytes: settings.diskCapacityBytes,
                                maxObjects: settings.diskMaxObjects)
            if let stats = disk?.stats {
                logger.info("disk cache ready", metadata: ["path": "\(path)", "objects": "\(stats.objects)",
                                                           "bytes": "\(stats.bytes)"])
            }
        }
        store = TieredStore(memory: memory, disk: disk, onDiskWriteError: { error in
            logger.error("disk cache write failed", metadata: ["error": "\(error)"])
        })
        registry = PrometheusCollectorRegistry()
        let metrics = EdgeMetrics(factory: PrometheusMetricsFactory(registry: registry))
        ioPool = NIOThreadPool(numberOfThreads: 2)
        ioPool.start()
        client = UpstreamClient(eventLoopGroup: group, timeouts: settings.upstreamTimeouts,
                                maxConnectionsPerHost: settings.maxConnectionsPerHost)
        let health = HealthBoard(threshold: settings.failureThreshold, backoff: settings.failureBackoffSeconds)
        self.health = health
        chooser = TieredChooser(shields: settings.shields, origins: settings.origins, policy: settings.failoverPolicy,
                                health: health)
        if let probing = settings.healthChecks {
            var targets = settings.shields.map {
                ActiveHealthChecker.Target(upstream: $0, path: ActiveHealthChecker.nodeHealthPath)
            }
            if let path = settings.originHealthPath {
                targets += settings.origins.map { ActiveHealthChecker.Target(upstream: $0, path: path) }
            }
            checker = targets.isEmpty ? nil : ActiveHealthChecker(targets: targets, settings: probing, client: client,
                                                                   board: health, logger: logger, now: wallClockSeconds)
        } else {
            checker = nil
        }
        // The ledger lives beside the disk tier, so purges survive a restart as the objects do.
        var ledger = PurgeLedger(limits: settings.purgeLimits)
        ledgerFile = settings.diskPath.map { PurgeLedgerFile(path: $0 + "/purge-ledger") }
        if let ledgerFile {
            do {
                ledger = try ledgerFile.load(limits: settings.purgeLimits)
            } catch {
                // Forgetting purges could serve purged content: start by treating everything cached as stale.
                logger.error("purge ledger unreadable; treating the whole cache as soft-purged",
                             metadata: ["path": "\(ledgerFile.path)", "error": "\(error)"])
                ledger.record(PurgeCommand(id: "ledger-recovery-\(wallClockSeconds())", scope: .all, mode: .soft,
                                           issuedAt: wallClockSeconds()), now: wallClockSeconds())
            }
        }
        engine = ProxyEngine(settings: settings.proxy, store: store, chooser: chooser, health: health,
                             client: client, ioPool: ioPool, metrics: metrics, logger: logger,
                             purgeLedger: SharedPurgeLedger(ledger))
        accessLog = try settings.accessLog.map { try AccessLog(destination: $0) }
        let observer = RequestObserver(metrics: metrics, load: load, accessLog: accessLog, logger: logger,
                                       now: wallClockSeconds)
        server = EdgeServer(settings: settings.server, engine: engine, observer: observer, group: group,
                            logger: logger)
        if let host = settings.metricsHost, let port = settings.metricsPort {
            let store = self.store
            metricsEndpoint = MetricsEndpoint(host: host, port: port, registry: registry, group: group,
                                              logger: logger, routes: operatorRoutes,
                                              beforeScrape: { metrics.updateStorageGauges(store.stats) })
        } else {
            metricsEndpoint = nil
        }
    }

    /// Binds the listeners and starts health probing; returns the public port.
    @discardableResult
    public func start() async throws -> Int {
        registerHealthEndpoint()
        if let metricsEndpoint { try await metricsEndpoint.start() }
        let port = try await server.start()
        if let checker {
            checkerTask.withLock { $0 = Task { await checker.run() } }
        }
        return port
    }

    /// Applies a purge here: records it in the ledger (so in-flight fetches and older copies from other tiers
    /// cannot bring the objects back), removes hard-purged objects from both tiers, and saves the ledger. A
    /// command already applied (a relay that arrives twice) changes nothing. Disk work runs on the I/O pool.
    public func applyPurge(_ command: PurgeCommand) async -> (applied: Bool, effect: PurgeEffect) {
        guard engine.purgeLedger.record(command, now: wallClockSeconds()) else {
            return (false, PurgeEffect())
        }
        let store = self.store
        let ledger = engine.purgeLedger.snapshot
        let ledgerFile = self.ledgerFile
        let logger = self.logger
        do {
            return (true, try await ioPool.runIfActive {
                let effect = store.apply(command)
                do { try ledgerFile?.save(ledger) } catch {
                    logger.error("saving the purge ledger failed", metadata: ["error": "\(error)"])
                }
                return effect
            })
        } catch {
            return (true, PurgeEffect())
        }
    }

    /// Forgets purges older than the horizon; soft rules that expire are applied hard first, so an object they
    /// covered can never turn fresh again once the rule is gone.
    public func prunePurges() async {
        let expired = engine.purgeLedger.prune(now: wallClockSeconds())
        for rule in expired where rule.mode == .soft {
            let hard = PurgeCommand(id: "expire-\(rule)", scope: rule.scope, mode: .hard, issuedAt: rule.issuedAt)
            let store = self.store
            _ = try? await ioPool.runIfActive { store.apply(hard) }
        }
    }

    /// The Prometheus text `/metrics` serves (for the admin API).
    public func metricsText() -> String {
        engine.metrics.updateStorageGauges(store.stats)
        return String(decoding: registry.emitToBuffer(), as: UTF8.self)
    }

    /// Whether the node is shutting down (its health endpoint then answers 503, so other tiers stop using it).
    public var isDraining: Bool { drainFlag.isSet }

    /// `GET /.well-known/edge/health`: 200 while serving, 503 once draining. Other tiers and load balancers
    /// probe it; it answers from the node itself, never from cache or upstream.
    private func registerHealthEndpoint() {
        let name = settings.name
        let flag = drainFlag
        engine.localEndpoints.register("health") { _ in
            let isDraining = flag.isSet
            return LocalEndpoints.text(isDraining ? .serviceUnavailable : .ok,
                                       "{\"node\":\"\(name)\",\"status\":\"\(isDraining ? "draining" : "ok")\"}\n",
                                       contentType: "application/json")
        }
    }

    /// How full the memory tier is, 0…1.
    public var cacheFill: Double {
        let memory = store.stats.memory
        return memory.capacityBytes > 0 ? Double(memory.bytes) / Double(memory.capacityBytes) : 0
    }

    /// The port `/metrics` is served on, once started.
    public var metricsPort: Int? { metricsEndpoint?.boundPort }

    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Drains the public listener, then releases everything else.
    public func shutdown() async {
        drainFlag.set()
        checkerTask.withLock { $0?.cancel() }
        await server.drain()
        await metricsEndpoint?.stop()
        try? await client.shutdown()
        try? await ioPool.shutdownGracefully()
        accessLog?.stop()
        logger.info("node stopped", metadata: ["node": "\(settings.name)"])
    }
}

/// Set once when the node starts draining; read by the health endpoint on every probe.
final class DrainFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
