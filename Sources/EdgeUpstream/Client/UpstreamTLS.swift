import NIOCore
import NIOSSL

/// How one `https` upstream is reached: its client context, made once at start (EdgeTLS's
/// `UpstreamTrust.makeClientContext`: full verification, TLS 1.2+, ALPN `http/1.1`), and the name it must prove.
///
/// Equal when they share the context and the name, so the pool keeps one set of connections per upstream and
/// never hands a connection verified for one name to a request meant for another.
public struct UpstreamTLS: Sendable, Hashable {
    public let context: NIOSSLContext
    /// The name sent as SNI and verified against the certificate instead of the upstream's host
    /// (`[[origins]] tls_server_name`); `nil` uses the host.
    public let serverName: String?

    public init(context: NIOSSLContext, serverName: String? = nil) {
        self.context = context
        self.serverName = serverName
    }

    /// The name sent as SNI, and verified against the certificate's DNS names, for a connection to `host`: the
    /// configured server name, else the host itself unless it is an IP literal. SNI must not carry an address
    /// (RFC 6066 §3), so for an IP literal there is none and nio-ssl verifies the peer's address against the
    /// certificate's IP subject alternative names instead.
    public static func verificationName(host: String, serverName: String?) -> String? {
        if let serverName { return serverName }
        return isIPLiteral(host) ? nil : host
    }

    static func isIPLiteral(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    public static func == (lhs: UpstreamTLS, rhs: UpstreamTLS) -> Bool {
        lhs.context === rhs.context && lhs.serverName == rhs.serverName
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(context))
        hasher.combine(serverName)
    }
}
