/// Listener and connection limits of the public HTTP server.
public struct ServerSettings: Sendable {
    public var host: String
    /// 0 picks an ephemeral port (tests).
    public var port: Int
    public var maxHeaderBytes: Int
    public var maxHeaderCount: Int
    public var maxRequestLineBytes: Int
    public var maxRequestBodyBytes: Int
    /// Seconds a client has to send a complete request head once it started one.
    public var headerTimeout: Double
    /// Seconds a keep-alive connection may sit idle between requests.
    public var idleTimeout: Double
    /// Seconds in-flight requests get to finish on shutdown before connections are closed.
    public var drainTimeout: Double

    public init(host: String = "127.0.0.1", port: Int = 0, maxHeaderBytes: Int = 16 << 10, maxHeaderCount: Int = 100,
                maxRequestLineBytes: Int = 8 << 10, maxRequestBodyBytes: Int = 10 << 20, headerTimeout: Double = 10,
                idleTimeout: Double = 60, drainTimeout: Double = 15) {
        self.host = host
        self.port = port
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.drainTimeout = drainTimeout
    }
}
