/// Limits on what a client may send: the first defence against slowloris and oversized requests.
public struct ServerLimits: Sendable, Equatable {
    /// Total bytes of all request header lines.
    public var maxHeaderBytes: Int = 16 << 10
    public var maxHeaderCount: Int = 100
    public var maxRequestLineBytes: Int = 8 << 10
    /// Time allowed to receive a complete request head once the first byte arrived.
    public var headerTimeout: Duration = .seconds(10)
    /// Keep-alive: how long an idle client connection stays open.
    public var idleTimeout: Duration = .seconds(60)
    public var maxRequestBodyBytes: Int = 10 << 20
    /// On shutdown, how long in-flight requests may take before connections are closed.
    public var drainTimeout: Duration = .seconds(15)

    public init() {}
}
