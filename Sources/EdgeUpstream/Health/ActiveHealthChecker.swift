import Logging
import NIOHTTP1
import Synchronization

/// Active health checks: a periodic request to each upstream's health path, feeding the health board.
///
/// Passive health only learns about a server from real traffic, so a dead server is discovered by a client's
/// failed request and a recovered one only after its back-off. Probing finds both without costing a client
/// anything. Shields are probed at the node health endpoint every edge node serves; origin servers at the
/// configured path, or not at all when none is configured.
public final class ActiveHealthChecker: Sendable {
    public struct Target: Sendable {
        public var upstream: Upstream
        /// The path requested, e.g. `/.well-known/edge/health`.
        public var path: String

        public init(upstream: Upstream, path: String) {
            self.upstream = upstream
            self.path = path
        }
    }

    public struct Settings: Sendable {
        public var interval: Double
        public var timeout: Double
        /// Probes remembered per upstream, and how many of them must succeed.
        public var window: Int
        public var threshold: Int

        public init(interval: Double = 2, timeout: Double = 1, window: Int = 3, threshold: Int = 2) {
            self.interval = interval
            self.timeout = timeout
            self.window = window
            self.threshold = threshold
        }
    }

    public static let nodeHealthPath = "/.well-known/edge/health"

    /// Replaced on reload (`update(targets:)`); read at the start of each round.
    private let liveTargets: Mutex<[Target]>
    private var targets: [Target] { liveTargets.withLock { $0 } }
    private let settings: Settings
    private let client: any UpstreamTransport
    private let board: HealthBoard
    private let logger: Logger
    private let now: @Sendable () -> Double

    public init(targets: [Target], settings: Settings, client: any UpstreamTransport, board: HealthBoard, logger: Logger,
                now: @escaping @Sendable () -> Double) {
        self.liveTargets = Mutex(targets)
        self.settings = settings
        self.client = client
        self.board = board
        self.logger = logger
        self.now = now
    }

    /// Takes a new list of targets (configuration reload), from the next round on. An upstream in both lists
    /// keeps its probe window; one no longer listed loses its window and its probe verdict.
    public func update(targets: [Target]) {
        liveTargets.withLock { $0 = targets }
    }

    /// Probes every target each interval until the task is cancelled.
    public func run() async {
        guard settings.interval > 0 else { return }
        var windows: [Upstream: ProbeWindow] = [:]
        while !Task.isCancelled {
            let round = targets
            let listed = Set(round.map(\.upstream))
            for upstream in windows.keys where !listed.contains(upstream) {
                windows[upstream] = nil
                board.setVerdict(nil, for: upstream, source: .probe)
            }
            for target in round where windows[target.upstream] == nil {
                windows[target.upstream] = ProbeWindow(window: settings.window, threshold: settings.threshold)
            }
            let results = await probeAll(round)
            for (upstream, success) in results {
                guard var window = windows[upstream] else { continue }
                let changed = window.record(success: success)
                windows[upstream] = window
                board.setVerdict(window.isHealthy, for: upstream, source: .probe)
                // A good probe also clears passive back-off, so a recovered server is used again at once.
                if success { board.record(.success, for: upstream, now: now()) }
                if changed {
                    logger.notice(window.isHealthy ? "upstream healthy again" : "upstream failed health checks",
                                  metadata: ["upstream": "\(upstream.name)", "url": "\(upstream.baseURL)"])
                }
            }
            try? await Task.sleep(for: .milliseconds(Int(settings.interval * 1000)))
        }
    }

    /// One round: every target in parallel; `true` for a 2xx or 3xx answer within the timeout.
    func probeAll(_ targets: [Target]) async -> [(Upstream, Bool)] {
        await withTaskGroup(of: (Upstream, Bool).self) { group in
            for target in targets {
                group.addTask { (target.upstream, await self.probe(target)) }
            }
            var results: [(Upstream, Bool)] = []
            for await result in group { results.append(result) }
            return results
        }
    }

    func probe(_ target: Target) async -> Bool {
        var headers = HTTPHeaders()
        headers.add(name: "user-agent", value: "edge-health-check")
        headers.add(name: "host", value: "\(target.upstream.host):\(target.upstream.port)")
        let request = UpstreamRequest(method: .GET, target: target.path, headers: headers)
        do {
            let response = try await client.send(request, to: target.upstream, logger: logger,
                                                  timeLimit: settings.timeout)
            do { for try await _ in response.body {} } catch { return false }
            return (200..<400).contains(response.status)
        } catch {
            return false
        }
    }
}
