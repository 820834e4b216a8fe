import EdgeCluster
import EdgeConfig
import EdgeHTTP
import Foundation
import Logging
import ServiceLifecycle

/// Runs a node's gossip member beside its HTTP service: joins at start, publishes the node's load when it
/// changes by more than a fifth (at most every 10 s), and on graceful shutdown leaves at once, so peers mark the node `left` (and stop routing to it)
/// while its HTTP listener drains — rather than waiting for suspicion to time out.
final class GossipService: Service, Sendable {
    private let gossip: GossipNode
    private let node: NodeConfiguration
    private let edgeNode: EdgeNode
    private let logger: Logger
    private let loadInterval: Duration
    private let minimumPublishInterval: Duration

    init(gossip: GossipNode, node: NodeConfiguration, edgeNode: EdgeNode, logger: Logger,
         loadInterval: Duration = .seconds(2), minimumPublishInterval: Duration = .seconds(10)) {
        self.minimumPublishInterval = minimumPublishInterval
        self.gossip = gossip
        self.node = node
        self.edgeNode = edgeNode
        self.logger = logger
        self.loadInterval = loadInterval
    }

    func run() async throws {
        try await gossip.start()  // GossipNode logs every membership change itself
        let feed = GossipHealthFeed(view: gossip.healthView, shields: edgeNode.settings.shields,
                                    board: edgeNode.health, logger: logger)
        let feedTask = Task { await feed.run() }
        defer { feedTask.cancel() }
        await cancelWhenGracefulShutdown {
            var lastCount = self.edgeNode.load.requestsServed
            var lastTime = ContinuousClock.now
            var published = NodeLoad()
            var publishedAt = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: self.loadInterval)
                guard !Task.isCancelled else { break }
                let count = self.edgeNode.load.requestsServed
                let time = ContinuousClock.now
                let elapsed = (time - lastTime) / .seconds(1)
                let rate = elapsed > 0 ? Double(count - lastCount) / elapsed : 0
                (lastCount, lastTime) = (count, time)
                let load = NodeLoad(activeConnections: UInt32(clamping: self.edgeNode.load.activeConnections),
                                    requestsPerSecond: rate, cacheFill: self.edgeNode.cacheFill)
                // Every metadata change is a new incarnation gossiped to everyone, competing with suspicion and
                // refutation news for piggyback space: publish only real changes, and not too often.
                guard time - publishedAt >= self.minimumPublishInterval,
                      Self.differsMeaningfully(load, from: published) else { continue }
                (published, publishedAt) = (load, time)
                await self.gossip.updateMetadata(GossipWiring.metadata(for: self.node, load: load))
            }
        }
        await gossip.leave()
    }

    /// More than 20 % (or more than a small absolute step) on any load figure.
    static func differsMeaningfully(_ load: NodeLoad, from previous: NodeLoad) -> Bool {
        func changed(_ new: Double, _ old: Double, floor: Double) -> Bool {
            abs(new - old) > max(floor, 0.2 * max(new, old))
        }
        return changed(Double(load.activeConnections), Double(previous.activeConnections), floor: 5)
            || changed(load.requestsPerSecond, previous.requestsPerSecond, floor: 5)
            || changed(load.cacheFill, previous.cacheFill, floor: 0.05)
    }
}
