/// Cluster-wide identity.
public struct ClusterSettings: Sendable, Equatable {
    public var name: String = "edge"
    /// Host names the cluster serves and answers DNS for, lower-cased, e.g. `www.cdn.test`.
    public var serviceNames: [String] = []

    public init(name: String = "edge", serviceNames: [String] = []) {
        self.name = name
        self.serviceNames = serviceNames
    }
}
