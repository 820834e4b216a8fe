import EdgeCluster
import EdgeConfig
import EdgeHTTP
import Foundation
import Logging
import NIOCore

/// Builds a node's gossip member from `edge.conf`: SWIM timings, its metadata, the other nodes as seeds, the key.
enum GossipWiring {
    struct WiringError: Error, CustomStringConvertible {
        var description: String
    }

    /// The cluster key: `EDGE_CLUSTER_KEY` from the environment, else `[cluster] gossip_key`.
    static func clusterKey(_ configuration: EdgeConfiguration) throws -> ClusterKey {
        let environment = ProcessInfo.processInfo.environment["EDGE_CLUSTER_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        guard let secret = environment ?? configuration.cluster.gossipKey else {
            throw WiringError(description: "\(configuration.sourcePath): gossip needs a cluster key: set "
                + "[cluster] gossip_key or the EDGE_CLUSTER_KEY environment variable")
        }
        do {
            return try ClusterKey(secret: secret)
        } catch {
            throw WiringError(description: "\(configuration.sourcePath): cluster.gossip_key: \(error)")
        }
    }

    static func settings(_ gossip: GossipSettings) -> SWIMSettings {
        var settings = SWIMSettings.lan
        settings.probeInterval = gossip.probeInterval.inSeconds
        settings.probeTimeout = gossip.probeTimeout.inSeconds
        settings.suspicionMultiplier = gossip.suspicionMultiplier
        settings.indirectProbeCount = gossip.indirectProbes
        return settings
    }

    static func metadata(for node: NodeConfiguration, load: NodeLoad = NodeLoad(), draining: Bool = false)
        -> NodeMetadata
    {
        NodeMetadata(name: node.name, role: node.role == .shield ? .shield : .edge,
                     publicHTTPAddress: "\(node.listen.host):\(node.listen.port)",
                     latitude: node.location.latitude, longitude: node.location.longitude,
                     region: node.location.region, load: load, draining: draining)
    }

    /// Every other node with a gossip address: any one that is up lets this node join.
    static func seeds(for node: NodeConfiguration, in configuration: EdgeConfiguration) -> [NodeAddress] {
        configuration.nodes.filter { $0.name != node.name }.compactMap { other in
            other.gossipListen.map { NodeAddress(host: $0.host, port: UInt16(clamping: $0.port)) }
        }
    }

    static func makeNode(for node: NodeConfiguration, in configuration: EdgeConfiguration, group: any EventLoopGroup,
                         logger: Logger) throws -> GossipNode? {
        guard let listen = node.gossipListen else { return nil }
        return try GossipNode(settings: settings(node.gossip), clusterID: configuration.cluster.name,
                              clusterKey: clusterKey(configuration), local: metadata(for: node),
                              bindHost: listen.host, bindPort: listen.port,
                              seeds: seeds(for: node, in: configuration), logger: logger, group: group)
    }

    /// `GET /members` on the operator listener: the membership as this node sees it (text table, or JSON with
    /// `?format=json`).
    static func membersRoute(_ gossip: GossipNode) -> OperatorRoute {
        { query in
            let members = gossip.healthView.members()
            let now = Date().timeIntervalSince1970
            if query.contains("format=json") {
                return OperatorResponse(contentType: "application/json", body: json(members, local: gossip.localID))
            }
            return OperatorResponse(contentType: "text/plain; charset=utf-8",
                                    body: MembershipTable.render(members, localID: gossip.localID, now: now) + "\n")
        }
    }

    static func json(_ members: [MemberSnapshot], local: NodeID) -> String {
        MembersDocument.encode(members, local: local)
    }
}
