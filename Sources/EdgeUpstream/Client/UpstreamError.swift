/// Why a request to an upstream failed, carrying what the proxy needs to decide what to do next.
///
/// Errors say where they came from and whether another upstream may be tried, as Pingora's errors do
/// (`ErrorSource::Upstream / Downstream / Internal` and `retry`). Only an upstream's own behaviour may count
/// against its health: a request the edge cannot even send (a target that is not a URL, a client body that
/// broke off, a client that went away, a local limit) says nothing about the server it was meant for, so it
/// is neither recorded nor retried elsewhere: it is answered at once.
public struct UpstreamError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// No connection could be made (refused, reset, unreachable).
        case connect
        /// The connection was not established within the connect timeout.
        case connectTimeout
        /// Connected, but no response head arrived within the first-byte timeout.
        case firstByteTimeout
        /// The body stalled for longer than the idle timeout.
        case idleTimeout
        /// The upstream closed the connection or sent something that is not HTTP.
        case protocolError
        /// The request itself cannot be sent: its target does not make a URL, or its headers are not valid.
        case invalidRequest
        /// The client's request body broke off or did not match its declared length.
        case requestBody
        /// The request was cancelled (the client went away or the node is shutting down).
        case cancelled
        /// A limit of this node (no pooled connection became free in time, the client is shutting down).
        case localLimit
        /// Every upstream is known down (circuit open, failed probes, gossip): nothing was attempted.
        case unavailable
    }

    /// Who caused an error, as Pingora's `ErrorSource`.
    public enum Source: String, Sendable {
        /// The upstream server: the only source that feeds health.
        case upstream
        /// The client or its request.
        case downstream
        /// This node: a local limit, or its health view saying no upstream may be asked.
        case `internal`
    }

    public var kind: Kind
    public var upstream: String
    public var message: String
    /// For `.unavailable`: seconds until the earliest upstream may be tried again (the `Retry-After` value).
    public var retryAfter: Int?

    public init(kind: Kind, upstream: String, message: String, retryAfter: Int? = nil) {
        self.kind = kind
        self.upstream = upstream
        self.message = message
        self.retryAfter = retryAfter
    }

    /// The `Retry-After` seconds for an upstream that may be tried again at `retryAt`: whole seconds, rounded
    /// up, and at least 1 (0 would invite an immediate retry that meets the same answer).
    public static func retryAfterSeconds(until retryAt: Double, now: Double) -> Int {
        let seconds = (retryAt - now).rounded(.up)
        guard seconds.isFinite, seconds >= 1 else { return 1 }
        return seconds > 86_400 ? 86_400 : Int(seconds)
    }

    public var source: Source {
        switch kind {
        case .connect, .connectTimeout, .firstByteTimeout, .idleTimeout, .protocolError: return .upstream
        case .invalidRequest, .requestBody, .cancelled: return .downstream
        case .localLimit, .unavailable: return .internal
        }
    }

    /// What this error teaches about the upstream's health; `nil` when it says nothing about it.
    ///
    /// A timeout is reported as such so the circuit opens at once: a hung server costs every request the whole
    /// timeout, so waiting for `failure_threshold` of them would multiply the cost.
    public var healthOutcome: UpstreamOutcome? {
        switch kind {
        case .connectTimeout, .firstByteTimeout: return .timeout
        case .connect, .idleTimeout, .protocolError: return .failure
        case .invalidRequest, .requestBody, .cancelled, .localLimit, .unavailable: return nil
        }
    }

    /// The status a client gets when nothing stale can be served: 400 for a request that cannot be sent,
    /// 503 when no upstream may be asked or a local limit was hit, 504 for timeouts, 502 otherwise.
    public var clientStatus: Int {
        switch kind {
        case .invalidRequest, .requestBody: return 400
        case .unavailable, .localLimit: return 503
        case .connectTimeout, .firstByteTimeout, .idleTimeout: return 504
        case .connect, .protocolError, .cancelled: return 502
        }
    }

    /// Whether the same request may be sent to another upstream: only after a failure of the upstream itself,
    /// and after the request may have reached it only when the method is idempotent.
    public func isRetryable(idempotent: Bool) -> Bool {
        switch kind {
        case .connect, .connectTimeout: return true
        case .firstByteTimeout, .protocolError: return idempotent
        case .idleTimeout, .cancelled, .invalidRequest, .requestBody, .localLimit, .unavailable: return false
        }
    }

    /// Short text for the Cache-Status `detail` parameter and logs.
    public var detail: String {
        switch kind {
        case .connect: return "upstream connect failed"
        case .connectTimeout: return "upstream connect timeout"
        case .firstByteTimeout: return "upstream first-byte timeout"
        case .idleTimeout: return "upstream idle timeout"
        case .protocolError: return "upstream protocol error"
        case .invalidRequest: return "request cannot be forwarded"
        case .requestBody: return "request body failed"
        case .cancelled: return "upstream request cancelled"
        case .localLimit: return "local upstream limit"
        case .unavailable: return "every upstream is down"
        }
    }

    public var description: String { "\(detail) (\(upstream)): \(message)" }
}
