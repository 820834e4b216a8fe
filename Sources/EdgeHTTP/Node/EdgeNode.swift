import EdgeCache
import EdgeUpstream
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle

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
            disk = try DiskTier(directory: path, capacityBytes: settings.diskCapacityBytes)
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
        let health = PassiveHealthTracker(threshold: settings.failureThreshold,
                                          backoff: settings.failureBackoffSeconds)
        let chooser = OriginPoolChooser(origins: settings.origins, health: health)
        engine = ProxyEngine(settings: settings.proxy, store: store, chooser: chooser, health: health,
                             client: client, ioPool: ioPool, metrics: metrics, logger: logger)
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

    /// Binds the listeners; returns the public port.
    @discardableResult
    public func start() async throws -> Int {
        if let metricsEndpoint { try await metricsEndpoint.start() }
        return try await server.start()
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
        await server.drain()
        await metricsEndpoint?.stop()
        try? await client.shutdown()
        try? await ioPool.shutdownGracefully()
        accessLog?.stop()
        logger.info("node stopped", metadata: ["node": "\(settings.name)"])
    }
}
