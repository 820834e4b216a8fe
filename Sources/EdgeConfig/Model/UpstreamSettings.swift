/// How a node reaches the next tier: which upstreams, how long to wait, and when to stop trying a failing one.
public struct UpstreamSettings: Sendable, Equatable {
    /// In order of preference: names of `[[origins]]` entries, or direct URLs such as `http://127.0.0.1:8080`.
    /// Use `EdgeConfiguration.upstreamEndpoints(for:)` for the resolved endpoints.
    public var origins: [String] = []
    /// Time allowed to establish a TCP connection.
    public var connectTimeout: Duration = .seconds(2)
    /// Time from sending the request to the response head.
    public var firstByteTimeout: Duration = .seconds(10)
    /// Longest silence between two body chunks before the fetch is abandoned.
    public var idleTimeout: Duration = .seconds(30)
    public var maxConnectionsPerHost: Int = 64
    /// Consecutive failures after which an upstream is considered down (passive health).
    public var failureThreshold: Int = 3
    /// How long a down upstream is skipped before it is tried again.
    public var failureBackoff: Duration = .seconds(10)
    /// Host header sent upstream; `nil` forwards the client's Host.
    public var hostHeader: String?

    public init() {}
}
