/// The whole `edge.conf`: the cluster, its nodes and origins. Every node has its defaults applied and every
/// reference checked, so code that receives one never re-validates.
public struct EdgeConfiguration: Sendable, Equatable {
    public var cluster: ClusterSettings
    /// `[admin]`: the admin token, who may send PURGE, how long purges are remembered.
    public var admin = AdminSettings()
    /// `[dns]`: the zone DNS responders serve and how they steer clients to edges.
    public var dns = DNSSettings()
    /// `[tls]`: certificates for HTTPS listeners (`https_listen`) and HTTP/2 limits.
    public var tls = TLSSettings()
    public var nodes: [NodeConfiguration]
    public var origins: [OriginConfiguration]
    /// What `[defaults]` said, for display; nodes already include it.
    public var defaults: NodeDefaults
    /// The file as the operator named it; used in error messages.
    public var sourcePath: String
    /// Directory relative paths were resolved against.
    public var baseDirectory: String

    public init(cluster: ClusterSettings = ClusterSettings(), nodes: [NodeConfiguration],
                origins: [OriginConfiguration] = [], defaults: NodeDefaults = NodeDefaults(),
                sourcePath: String = "edge.conf", baseDirectory: String = "") {
        self.cluster = cluster
        self.nodes = nodes
        self.origins = origins
        self.defaults = defaults
        self.sourcePath = sourcePath
        self.baseDirectory = baseDirectory
    }

    /// The node a process should run (`edge run --node <name>`); the error lists the nodes that do exist.
    public func node(named name: String) throws(ConfigError) -> NodeConfiguration {
        if let node = nodes.first(where: { $0.name == name }) { return node }
        let names = nodes.map(\.name)
        var message = "no node named \"\(name)\""
        if let suggestion = KeySuggestion.closest(to: name, in: names) {
            message += "; did you mean \(suggestion)?"
        }
        message += names.isEmpty ? " (the file defines no nodes)" : " (nodes in this file: \(names.joined(separator: ", ")))"
        throw ConfigError(kind: .unknownNode, file: sourcePath, message: message)
    }

    public func origin(named name: String) -> OriginConfiguration? {
        origins.first { $0.name == name }
    }

    /// A node's upstreams in preference order, names resolved through `[[origins]]`.
    /// The shield nodes `node` fetches through, in file order: none for a shield; for an edge its `shields`
    /// list, or every node with role "shield" when it has none.
    public func shields(for node: NodeConfiguration) -> [NodeConfiguration] {
        guard node.role == .edge else { return [] }
        guard let names = node.upstream.shields else { return nodes.filter { $0.role == .shield } }
        return names.compactMap { name in nodes.first { $0.name == name && $0.role == .shield } }
    }

    public func upstreamEndpoints(for node: NodeConfiguration) -> [OriginEndpoint] {
        node.upstream.origins.compactMap { entry in
            origin(named: entry)?.endpoint ?? OriginEndpoint.parse(entry)
        }
    }
}
