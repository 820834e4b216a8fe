/// Cluster-wide identity.
public struct ClusterSettings: Sendable, Equatable {
    public var name: String = "edge"
    /// Host names the cluster serves and answers DNS for, lower-cased, e.g. `www.cdn.test`.
    public var serviceNames: [String] = []
    /// The shared secret that authenticates gossip packets (HMAC-SHA256). The `EDGE_CLUSTER_KEY` environment
    /// variable, when set, takes precedence, so production keys need not live in the file.
    public var gossipKey: String?

    public init(name: String = "edge", serviceNames: [String] = []) {
        self.name = name
        self.serviceNames = serviceNames
    }
}
