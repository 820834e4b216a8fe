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
    /// Seconds a request body may go without a byte arriving before the client gets 408.
    public var bodyTimeout: Double
    /// Request body bytes kept in memory; beyond this the body is spooled to a file in `bodyTempDirectory`.
    public var bodyBufferBytes: Int
    /// Where spooled request bodies go; `nil`: a directory per node under the system's temporary directory.
    public var bodyTempDirectory: String?
    /// Open client connections beyond which new ones are closed at once; `nil`: derived from the open-file
    /// limit (`ConnectionAdmission.defaultMaxConnections`).
    public var maxConnections: Int?
    /// Seconds in-flight requests get to finish on shutdown before connections are closed.
    public var drainTimeout: Double
    /// HTTP/2 with prior knowledge (h2c) on this plain listener, with these limits; `nil`: HTTP/1.1 only (an h2
    /// preface then gets the HTTP/1.1 parser's 400). Read when the listener starts; TLS listeners ignore it.
    public var h2c: HTTP2Limits?

    public init(host: String = "127.0.0.1", port: Int = 0, maxHeaderBytes: Int = 16 << 10, maxHeaderCount: Int = 100,
                maxRequestLineBytes: Int = 8 << 10, maxRequestBodyBytes: Int = 10 << 20, headerTimeout: Double = 10,
                idleTimeout: Double = 60, bodyTimeout: Double = 20, bodyBufferBytes: Int = 16 << 10,
                bodyTempDirectory: String? = nil, maxConnections: Int? = nil, drainTimeout: Double = 15) {
        self.host = host
        self.port = port
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.bodyBufferBytes = bodyBufferBytes
        self.bodyTempDirectory = bodyTempDirectory
        self.maxConnections = maxConnections
        self.drainTimeout = drainTimeout
    }
}
