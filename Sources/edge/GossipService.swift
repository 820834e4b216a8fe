import EdgeCluster
import EdgeConfig
import EdgeHTTP
import Foundation
import Logging
import ServiceLifecycle

/// Runs a node's gossip member beside its HTTP service: joins at start, publishes the node's load every few
/// seconds, and on graceful shutdown leaves at once, so peers mark the node `left` (and stop routing to it)
/// while its HTTP listener drains — rather than waiting for suspicion to time out.
final class GossipService: Service, Sendable {
    private let gossip: GossipNode
    private let node: NodeConfiguration
    private let edgeNode: EdgeNode
    private let logger: Logger
    private let loadInterval: Duration

    init(gossip: GossipNode, node: NodeConfiguration, edgeNode: EdgeNode, logger: Logger,
         loadInterval: Duration = .seconds(2)) {
        self.gossip = gossip
        self.node = node
        self.edgeNode = edgeNode
        self.logger = logger
        self.loadInterval = loadInterval
    }

    func run() async throws {
        try await gossip.start()  // GossipNode logs every membership change itself
        await cancelWhenGracefulShutdown {
            var lastCount = self.edgeNode.load.requestsServed
            var lastTime = ContinuousClock.now
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
                await self.gossip.updateMetadata(GossipWiring.metadata(for: self.node, load: load))
            }
        }
        await gossip.leave()
    }
}
