/// Why a request to an upstream failed, carrying what the proxy needs to decide what to do next.
///
/// Errors say where they came from and whether another upstream may be tried, as Pingora's errors do:
/// a refused connection is safe to retry elsewhere; a timeout after the request was sent is retried only for
/// idempotent methods.
public struct UpstreamError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No connection could be made (refused, unreachable, connect timeout).
        case connect
        /// Connected, but no response head arrived within the first-byte timeout.
        case firstByteTimeout
        /// The body stalled for longer than the idle timeout.
        case idleTimeout
        /// The upstream closed the connection or sent something that is not HTTP.
        case protocolError
        /// The request was cancelled (the client went away or the node is shutting down).
        case cancelled
    }

    public var kind: Kind
    public var upstream: String
    public var message: String

    public init(kind: Kind, upstream: String, message: String) {
        self.kind = kind
        self.upstream = upstream
        self.message = message
    }

    /// The status a client gets when nothing stale can be served: 504 for timeouts, 502 otherwise.
    public var clientStatus: Int {
        switch kind {
        case .firstByteTimeout, .idleTimeout: return 504
        case .connect, .protocolError, .cancelled: return 502
        }
    }

    /// Whether the same request may be sent to another upstream.
    public func isRetryable(idempotent: Bool) -> Bool {
        switch kind {
        case .connect: return true
        case .firstByteTimeout, .protocolError: return idempotent
        case .idleTimeout, .cancelled: return false
        }
    }

    /// Short text for the Cache-Status `detail` parameter and logs.
    public var detail: String {
        switch kind {
        case .connect: return "upstream connect failed"
        case .firstByteTimeout: return "upstream first-byte timeout"
        case .idleTimeout: return "upstream idle timeout"
        case .protocolError: return "upstream protocol error"
        case .cancelled: return "upstream request cancelled"
        }
    }

    public var description: String { "\(detail) (\(upstream)): \(message)" }
}
