import Logging
import NIOHTTP1

/// What the proxy needs from whatever carries its requests to the next tier: send one request, get the response
/// head (the body streams after it).
///
/// The proxy depends on this protocol, not on a concrete client, so its request and fetch steps can be driven in
/// tests by a fake upstream without sockets, and the real client can change underneath without touching them.
public protocol UpstreamTransport: Sendable {
    /// Sends `request` to `upstream` and returns once the final (non-1xx) response head has arrived.
    ///
    /// - Parameters:
    ///   - timeLimit: seconds allowed for the response head, when less than the first-byte timeout (what is left
    ///     of a client request's time budget, or a health probe's timeout).
    ///   - interim: called on each interim 1xx response (102 Processing, 103 Early Hints) that arrives before the
    ///     final head, in order, so the proxy can relay it to its client (RFC 9110 §15.2). `100 Continue` is
    ///     consumed by the transport itself and never reported. `nil`: interim responses are dropped.
    func send(_ request: UpstreamRequest, to upstream: Upstream, logger: Logger, timeLimit: Double?,
              interim: (@Sendable (HTTPResponseHead) -> Void)?) async throws(UpstreamError) -> UpstreamResponse

    /// The first-byte timeout that applies to `upstream`.
    func firstByteTimeout(for upstream: Upstream) -> Double

    /// Closes pooled connections; requests after this fail with `.localLimit`.
    func shutdown() async throws
}

extension UpstreamTransport {
    /// `send` without an interim-response sink.
    public func send(_ request: UpstreamRequest, to upstream: Upstream, logger: Logger,
                     timeLimit: Double? = nil) async throws(UpstreamError) -> UpstreamResponse
    {
        try await send(request, to: upstream, logger: logger, timeLimit: timeLimit, interim: nil)
    }
}
