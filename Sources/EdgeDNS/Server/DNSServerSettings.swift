import NIOCore

/// Limits of the NIO shell. The defaults follow RFC 7766's advice for TCP (idle timeouts of seconds, a bound on
/// concurrent connections) and keep one misbehaving client from holding much memory.
public struct DNSServerSettings: Sendable {
    /// A TCP connection with no query for this long is closed.
    public var tcpIdleTimeout: TimeAmount
    /// Connections beyond this are closed as soon as they are accepted.
    public var maxTCPConnections: Int
    /// A framed TCP message longer than this closes the connection: queries are small, and the 2-byte length
    /// would otherwise let a client make us buffer 64 KiB per connection.
    public var maxTCPMessageBytes: Int
    /// Receive buffer for one datagram; longer queries arrive cut and answer FORMERR.
    public var maxUDPQueryBytes: Int
    /// With port 0: how many ephemeral UDP ports to try before giving up on finding one whose TCP twin is free.
    public var bindAttempts: Int

    public init(tcpIdleTimeout: TimeAmount = .seconds(10), maxTCPConnections: Int = 256,
                maxTCPMessageBytes: Int = 4096, maxUDPQueryBytes: Int = 4096, bindAttempts: Int = 8) {
        self.tcpIdleTimeout = tcpIdleTimeout
        self.maxTCPConnections = maxTCPConnections
        self.maxTCPMessageBytes = maxTCPMessageBytes
        self.maxUDPQueryBytes = maxUDPQueryBytes
        self.bindAttempts = bindAttempts
    }
}
