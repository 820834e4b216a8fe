import EdgeCache
import EdgeUpstream
import Foundation
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
    /// The HTTPS listener, when `settings.https` asks for one: the same engine behind TLS, h2 and HTTP/1.1.
    public let secureServer: EdgeServer?
    public let metricsEndpoint: MetricsEndpoint?
    public let registry: PrometheusCollectorRegistry
    /// Connections and requests, for the load this node gossips.
    public let load = LoadCounters()
    /// Per-second client traffic and top URLs for the dashboard's graphs (sampled by the admin service).
    public let live = LiveTraffic()
    /// Every health signal about this node's upstreams; gossip adds its verdicts here.
    public let health: HealthBoard
    /// The upstream plan: home shield by rendezvous hashing, failover, origin pool.
    public let chooser: TieredChooser
    private let checker: ActiveHealthChecker?
    private let checkerTask = Mutex<Task<Void, Never>?>(nil)
    private let drainFlag = DrainFlag()
    /// Records purges and saves the ledger before a purge is reported applied; gates the disk tier meanwhile.
    public let ledgerKeeper: PurgeLedgerKeeper
    /// Every disk fault, logged, counted and summarised for the health endpoint and `/status`.
    public let diskFaults: DiskFaultMonitor
    private let ledgerRetryTask = Mutex<Task<Void, Never>?>(nil)
    /// When the node started, seconds since the epoch.
    public let startedAt = wallClockSeconds()
    private let client: UpstreamClient
    /// Disk reads and writes run here, never on an event loop (the proxy's, the purge ledger's, the admin's).
    public let ioPool: NIOThreadPool
    private let accessLog: AccessLog?
    /// The settings the node runs with now: those it started with, then each reload's (`applyLive`).
    private let applied: Mutex<EdgeNodeSettings>
    private let processMetrics: ProcessMetrics
    /// Run before every scrape, after the node's own refresh: gauges other modules own (gossip, DNS).
    private let scrapeHooks: [@Sendable () -> Void]
    private let logger: Logger

    /// - Parameters:
    ///   - operatorRoutes: extra `GET` paths served on the metrics listener (for example the membership table), so
    ///     modules above this one can expose their state without a listener of their own.
    ///   - localEndpoints: extra `/.well-known/edge/<name>` endpoints on the public listener (routing answers),
    ///     registered here with the built-in health endpoint so nothing is attached after construction.
    ///   - registry: the node's own Prometheus registry (one per node, so nodes sharing a process in tests do not
    ///     mix their numbers); modules above this one register their families in it too.
    public init(settings: EdgeNodeSettings, group: any EventLoopGroup, logger: Logger,
                registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                operatorRoutes: [String: OperatorRoute] = [:],
                localEndpoints: [String: LocalEndpoints.Handler] = [:],
                scrapeHooks: [@Sendable () -> Void] = []) throws {
        self.settings = settings
        self.applied = Mutex(settings)
        self.logger = logger
        let memory = MemoryTier(capacityBytes: settings.memoryCapacityBytes,
                                maxObjectBytes: settings.memoryMaxObjectBytes)
        self.registry = registry
        let diskFaults = DiskFaultMonitor(registry: registry, logger: logger, now: wallClockSeconds)
        self.diskFaults = diskFaults
        var disk: DiskTier?
        if let path = settings.diskPath {
            disk = try DiskTier(directory: path, capacityBytes: settings.diskCapacityBytes,
                                maxObjects: settings.diskMaxObjects,
                                onEvent: { diskFaults.record($0) })
            if let stats = disk?.stats {
                logger.info("disk cache ready", metadata: ["path": "\(path)", "objects": "\(stats.objects)",
                                                           "bytes": "\(stats.bytes)"])
            }
        }
        store = TieredStore(memory: memory, disk: disk, onDiskWriteError: { diskFaults.record($0) })
        let metrics = EdgeMetrics(factory: CatalogMetricsFactory(registry: registry))
        let processMetrics = ProcessMetrics(factory: CatalogMetricsFactory(registry: registry),
                                            version: settings.buildVersion, commit: settings.buildCommit)
        self.processMetrics = processMetrics
        self.scrapeHooks = scrapeHooks
        ioPool = NIOThreadPool(numberOfThreads: 2)
        ioPool.start()
        client = UpstreamClient(eventLoopGroup: group, timeouts: settings.upstreamTimeouts,
                                maxConnectionsPerHost: settings.maxConnectionsPerHost)
        let health = HealthBoard(threshold: settings.failureThreshold, backoff: settings.failureBackoffSeconds)
        self.health = health
        chooser = TieredChooser(shields: settings.shields, origins: settings.origins, policy: settings.failoverPolicy,
                                health: health)
        // With probing on, the checker runs even without targets: a reload may bring some.
        if let probing = settings.healthChecks {
            checker = ActiveHealthChecker(targets: Self.probeTargets(settings), settings: probing, client: client,
                                          board: health, logger: logger, now: wallClockSeconds)
        } else {
            checker = nil
        }
        // The ledger lives beside the disk tier, so purges survive a restart as the objects do.
        var ledger = PurgeLedger(limits: settings.purgeLimits)
        let ledgerFile = settings.diskPath.map { PurgeLedgerFile(path: $0 + "/" + PurgeLedgerKeeper.fileName) }
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
        let sharedLedger = SharedPurgeLedger(ledger)
        ledgerKeeper = PurgeLedgerKeeper(ledger: sharedLedger, file: ledgerFile, store: store, faults: diskFaults,
                                         logger: logger, now: wallClockSeconds)
        ledgerKeeper.checkAtStart()
        engine = ProxyEngine(settings: settings.proxy, store: store, chooser: chooser, health: health,
                             client: client, ioPool: ioPool, metrics: metrics, logger: logger,
                             purgeLedger: sharedLedger)
        accessLog = try settings.accessLog.map { try AccessLog(destination: $0, format: settings.accessLogFormat) }
        let observer = RequestObserver(metrics: metrics, load: load, accessLog: accessLog, logger: logger,
                                       now: wallClockSeconds, requestID: { [engine] in engine.requestID(for: $0) },
                                       live: live)
        server = EdgeServer(settings: settings.server, engine: engine, observer: observer, group: group,
                            logger: logger)
        if let https = settings.https {
            engine.httpsHosts.replace(https.hosts)
            var secure = settings.server
            secure.host = https.host
            secure.port = https.port
            secureServer = EdgeServer(settings: secure, engine: engine, observer: observer, group: group,
                                      logger: logger, tls: https.tls)
        } else {
            secureServer = nil
        }
        if let host = settings.metricsHost, let port = settings.metricsPort {
            let refresh = Self.scrapeRefresh(store: store, engine: engine, health: health, chooser: chooser,
                                             process: processMetrics, hooks: scrapeHooks)
            metricsEndpoint = MetricsEndpoint(host: host, port: port, registry: registry, group: group,
                                              logger: logger, routes: operatorRoutes, beforeScrape: refresh)
        } else {
            metricsEndpoint = nil
        }
        for (name, handler) in localEndpoints { engine.localEndpoints.register(name, handler: handler) }
    }

    /// Binds the listeners and starts health probing; returns the public port.
    @discardableResult
    public func start() async throws -> Int {
        registerHealthEndpoint()
        if let metricsEndpoint { try await metricsEndpoint.start() }
        let port = try await server.start()
        if let secureServer {
            // Redirects name the port clients reach HTTPS on: the configured public one behind a port mapping,
            // else the port HTTPS really listens on (an ephemeral one in tests).
            let bound = try await secureServer.start()
            engine.httpsHosts.httpsPort = settings.https?.publicPort ?? bound
        }
        if let checker {
            checkerTask.withLock { $0 = Task { await checker.run() } }
        }
        startLedgerRetries()
        return port
    }

    /// What the active health checker probes: every shield at the node health endpoint, and the origins at
    /// `originHealthPath` when one is set.
    static func probeTargets(_ settings: EdgeNodeSettings) -> [ActiveHealthChecker.Target] {
        var targets = settings.shields.map {
            ActiveHealthChecker.Target(upstream: $0, path: ActiveHealthChecker.nodeHealthPath)
        }
        if let path = settings.originHealthPath {
            targets += settings.origins.map { ActiveHealthChecker.Target(upstream: $0, path: path) }
        }
        return targets
    }

    /// Applies the live part of reloaded settings. Nothing is rebuilt, so connections, the cache and gossip are
    /// untouched; each part is one swap that the next request (or connection) reads:
    /// - limits, connection cap and drain timeout of both listeners (new connections get the limits);
    /// - the proxy's settings: freshness defaults, hosts, Host override, forwarded headers, request budget,
    ///   compression;
    /// - the shield and origin lists and the failover policy (plans made from now on; the health of an upstream
    ///   in both lists is kept, since it is keyed by upstream) and what is probed;
    /// - passive health tuning and upstream timeouts;
    /// - the access log's destination and format (when they changed).
    ///
    /// Not here: the memory tier's size (the caller resizes it off the event loops, since demotions write to
    /// disk), certificates, and everything `ReloadPlan` reports as needing a restart. Returns the problems met
    /// (an access log path that cannot be opened) for the caller to log; everything else is applied regardless.
    public func applyLive(_ new: EdgeNodeSettings) -> [String] {
        var problems: [String] = []
        let before = applied.withLock { $0 }
        server.updateLimits(new.server)
        secureServer?.updateLimits(new.server)
        engine.updateSettings(new.proxy)
        chooser.update(shields: new.shields, origins: new.origins, policy: new.failoverPolicy)
        checker?.update(targets: Self.probeTargets(new))
        health.retune(threshold: new.failureThreshold, backoff: new.failureBackoffSeconds)
        client.updateTimeouts(new.upstreamTimeouts)
        var result = new
        if let accessLog, let destination = new.accessLog,
           destination != before.accessLog || new.accessLogFormat != before.accessLogFormat {
            do {
                try accessLog.retarget(destination: destination, format: new.accessLogFormat)
            } catch {
                problems.append("logging.access_log: \(error); the access log stays at \(before.accessLog ?? "-")")
                result.accessLog = before.accessLog
                result.accessLogFormat = before.accessLogFormat
            }
        }
        applied.withLock { $0 = result }
        return problems
    }

    /// How often a ledger that could not be saved is tried again.
    static let ledgerRetryInterval: Duration = .seconds(2)

    /// While the ledger cannot be saved, tries again every `ledgerRetryInterval`; the first success resumes
    /// the disk tier (and is logged by the keeper).
    private func startLedgerRetries() {
        let keeper = ledgerKeeper
        let ioPool = self.ioPool
        ledgerRetryTask.withLock {
            $0 = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.ledgerRetryInterval)
                    guard keeper.needsSave else { continue }
                    _ = try? await ioPool.runIfActive { keeper.persist() }
                }
            }
        }
    }

    /// What `applyPurge` did here.
    public struct PurgeOutcome: Sendable, Equatable {
        /// `false` when the command had been recorded before (a relay or retry that arrives twice).
        public var applied: Bool
        public var effect: PurgeEffect
        /// Why the purge is not durable here, when it is not: the caller must not report it as applied.
        public var failure: String?
    }

    /// Applies a purge here: records it in the ledger (so in-flight fetches and older copies from other tiers
    /// cannot bring the objects back), saves the ledger durably, then removes hard-purged objects from both
    /// tiers. When the ledger cannot be saved the outcome carries the reason (the disk tier is then suspended
    /// by the keeper); the objects are removed all the same. A command already recorded changes nothing, but
    /// is only reported durable once the ledger is. Disk work runs on the I/O pool.
    public func applyPurge(_ command: PurgeCommand) async -> PurgeOutcome {
        let keeper = ledgerKeeper
        let started = ContinuousClock.now
        let recorded = keeper.record(command)
        let store = self.store
        do {
            let outcome = try await ioPool.runIfActive {
                let failure = keeper.persist()
                let effect = recorded ? store.apply(command) : PurgeEffect()
                return PurgeOutcome(applied: recorded, effect: effect, failure: failure)
            }
            let elapsed = ContinuousClock.now - started
            engine.metrics.purgeApplied(seconds: Double(elapsed.components.seconds)
                                            + Double(elapsed.components.attoseconds) / 1e18,
                                        rules: engine.purgeLedger.snapshot.rules.count)
            return outcome
        } catch {
            return PurgeOutcome(applied: recorded, effect: PurgeEffect(),
                                failure: "the node is shutting down: \(error)")
        }
    }

    /// The disk tier's health; `nil` without a disk tier.
    public var diskHealth: DiskHealthReport? {
        Self.diskHealth(store: store, keeper: ledgerKeeper, faults: diskFaults)
    }

    private static func diskHealth(store: TieredStore, keeper: PurgeLedgerKeeper,
                                   faults: DiskFaultMonitor) -> DiskHealthReport? {
        guard store.disk != nil else { return nil }
        return faults.report(ledgerDurable: keeper.isDurable, servingFromDisk: store.isServingFromDisk)
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

    /// What a scrape refreshes first: storage gauges and eviction counts, purge rules, upstream health, process
    /// figures, then the hooks of other modules.
    static func scrapeRefresh(store: TieredStore, engine: ProxyEngine, health: HealthBoard,
                              chooser: TieredChooser, process: ProcessMetrics,
                              hooks: [@Sendable () -> Void]) -> @Sendable () -> Void {
        {
            // The upstreams in use now (a reload may have changed them).
            let upstreams = chooser.shields + chooser.origins
            let metrics = engine.metrics
            metrics.updateStorageGauges(store.stats, promotions: store.promotions)
            metrics.updatePurgeRules(engine.purgeLedger.snapshot.rules.count)
            let now = wallClockSeconds()
            for upstream in upstreams {
                metrics.upstreamUp(upstream.name, tier: upstream.tier == .shield ? "shield" : "origin",
                                   up: health.isAvailable(upstream, now: now))
            }
            process.refresh()
            for hook in hooks { hook() }
        }
    }

    /// The Prometheus text `/metrics` serves (for the admin API).
    public func metricsText() -> String {
        Self.scrapeRefresh(store: store, engine: engine, health: health, chooser: chooser,
                           process: processMetrics, hooks: scrapeHooks)()
        return String(decoding: registry.emitToBuffer(), as: UTF8.self)
    }

    /// Whether the node is shutting down (its health endpoint then answers 503, so other tiers stop using it).
    public var isDraining: Bool { drainFlag.isSet }

    /// `GET /.well-known/edge/health`: 200 while serving, 503 once draining. Other tiers and load balancers
    /// probe it; it answers from the node itself, never from cache or upstream.
    ///
    /// The body also carries the disk tier's health (`"disk": {"state": "degraded", ...}`), but a degraded disk
    /// leaves the status at 200: the node still serves from memory and upstream, and a shield whose disk fails
    /// is better used than skipped (skipping it would move its whole key range onto the other shields' caches).
    private func registerHealthEndpoint() {
        let name = settings.name
        let flag = drainFlag
        let (store, keeper, faults) = (self.store, ledgerKeeper, diskFaults)
        engine.localEndpoints.register("health") { _ in
            let isDraining = flag.isSet
            let document = NodeHealthDocument(node: name, status: isDraining ? "draining" : "ok",
                                              disk: Self.diskHealth(store: store, keeper: keeper, faults: faults))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body = (try? encoder.encode(document)).map { String(decoding: $0, as: UTF8.self) }
                ?? "{\"node\":\"\(name)\",\"status\":\"\(document.status)\"}"
            return LocalEndpoints.text(isDraining ? .serviceUnavailable : .ok, body + "\n",
                                       contentType: "application/json")
        }
    }

    /// How full the memory tier is, 0…1.
    public var cacheFill: Double {
        let memory = store.stats.memory
        return memory.capacityBytes > 0 ? Double(memory.bytes) / Double(memory.capacityBytes) : 0
    }

    /// The port the HTTPS listener is bound to, once started.
    public var httpsPort: Int? { secureServer?.boundPort }

    /// The port `/metrics` is served on, once started.
    public var metricsPort: Int? { metricsEndpoint?.boundPort }

    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Reopens the access log file at its configured path (SIGUSR1, after logrotate renamed it). Buffered lines
    /// go to the old file first; if the path cannot be opened, logging continues to the old file.
    public func reopenLogs() {
        do {
            try accessLog?.reopen()
            logger.info("access log reopened", metadata: ["node": "\(settings.name)"])
        } catch {
            logger.error("access log not reopened", metadata: ["node": "\(settings.name)", "error": "\(error)"])
        }
    }

    /// Drains the public listener, then releases everything else.
    public func shutdown() async {
        drainFlag.set()
        checkerTask.withLock { $0?.cancel() }
        ledgerRetryTask.withLock { $0?.cancel() }
        async let secureDrained: Void = secureServer?.drain() ?? ()
        await server.drain()
        await secureDrained
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

/// The health endpoint's answer.
struct NodeHealthDocument: Encodable {
    var node: String
    /// `ok` or `draining`.
    var status: String
    /// The disk tier's health; absent without a disk tier.
    var disk: DiskHealthReport?
}
