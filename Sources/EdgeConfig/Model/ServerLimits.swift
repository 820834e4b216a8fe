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
    /// How long a request body may go without a byte arriving before the client gets 408 (as nginx's
    /// client_body_timeout).
    public var bodyTimeout: Duration = .seconds(20)
    /// Request body bytes kept in memory; larger bodies are spooled to a temporary file.
    public var bodyBufferSize: Int = 16 << 10
    /// Open client connections beyond which new ones are refused; `nil`: derived from the open-file limit.
    public var maxConnections: Int?
    /// On shutdown, how long in-flight requests may take before connections are closed.
    public var drainTimeout: Duration = .seconds(15)

    public init() {}
}
