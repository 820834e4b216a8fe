/// Cluster-wide identity.
public struct ClusterSettings: Sendable, Equatable {
    public var name: String = "edge"
    /// Host names the cluster serves and answers DNS for, lower-cased, e.g. `www.cdn.test`.
    public var serviceNames: [String] = []
    /// The shared secret that authenticates gossip packets (HMAC-SHA256). The `EDGE_CLUSTER_KEY` environment
    /// variable, when set, takes precedence, so production keys need not live in the file.
    public var gossipKey: String?
    /// What a node does with a request whose Host is not one of `serviceNames`. With no service names every
    /// host is served (there is nothing to check against), and the node says so in its log at start.
    public var unknownHosts: UnknownHosts = .reject
    /// Whether the outermost tier (role edge) removes the CDN's internal response fields
    /// (`edge-origin-fetched-at`, `Surrogate-Key`, `Cache-Tag`) before a response reaches a client. `false`
    /// keeps them, for a debugging deployment. Shields always send them on (edges need them).
    public var stripInternalHeaders: Bool = true

    public init(name: String = "edge", serviceNames: [String] = []) {
        self.name = name
        self.serviceNames = serviceNames
    }
}

/// `[cluster] unknown_hosts`.
public enum UnknownHosts: String, Sendable, Equatable, CaseIterable {
    /// `421 Misdirected Request`, before any cache lookup or upstream attempt.
    case reject
    /// Served like any other host (a catch-all CDN).
    case pass
}
