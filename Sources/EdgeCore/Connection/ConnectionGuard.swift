/// The pure rules that keep slow or oversized clients from pinning a connection.
///
/// A connection is *idle* between requests (bounded by the keep-alive idle timeout), *receiving a head* from
/// the first byte of a request until its head is parsed (bounded by the header timeout and by a byte cap, so a
/// client can neither trickle a header forever nor send an endless request line), *receiving a body* from the
/// parsed head until the request's end (bounded by the body timeout, counted from the last byte that arrived,
/// as nginx's `client_body_timeout`: a slow upload lives while it makes progress, a stalled one does not), and
/// *busy* while a request is being answered (upstream timeouts bound that part).
///
/// The channel handler feeds events in and acts on the verdicts; all time is passed in. `deadline` tells the
/// handler when a check could next close the connection, so it can arm one timer per phase instead of ticking.
public struct ConnectionGuard: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case idle(since: Double)
        case receivingHead(since: Double, bytes: Int)
        case receivingBody(lastProgress: Double)
        case busy
    }

    public enum Verdict: Sendable, Equatable {
        case keepOpen
        /// Close the connection; `status` is the response to send first, if one can still be sent.
        case close(status: Int?, reason: String)
    }

    /// The guard's limits, in seconds and bytes.
    public struct Limits: Sendable, Equatable {
        public var headerTimeout: Double
        public var idleTimeout: Double
        public var bodyTimeout: Double
        public var maxHeadBytes: Int

        public init(headerTimeout: Double, idleTimeout: Double, bodyTimeout: Double, maxHeadBytes: Int) {
            self.headerTimeout = headerTimeout
            self.idleTimeout = idleTimeout
            self.bodyTimeout = bodyTimeout
            self.maxHeadBytes = maxHeadBytes
        }
    }

    public private(set) var phase: Phase
    public let limits: Limits

    public init(now: Double, limits: Limits) {
        self.phase = .idle(since: now)
        self.limits = limits
    }

    /// Raw bytes arrived from the client.
    public mutating func bytesReceived(_ count: Int, now: Double) -> Verdict {
        switch phase {
        case .idle:
            phase = .receivingHead(since: now, bytes: count)
        case .receivingHead(let since, let bytes):
            phase = .receivingHead(since: since, bytes: bytes + count)
        case .receivingBody:
            phase = .receivingBody(lastProgress: now)
            return .keepOpen
        case .busy:
            return .keepOpen  // pipelined bytes; the pipelining handler stops reading until the response is done
        }
        if case .receivingHead(_, let bytes) = phase, bytes > limits.maxHeadBytes {
            return .close(status: 431, reason: "request head larger than \(limits.maxHeadBytes) bytes")
        }
        return .keepOpen
    }

    /// A complete request head was parsed; its body (possibly empty) follows.
    public mutating func headReceived(now: Double) {
        phase = .receivingBody(lastProgress: now)
    }

    /// The whole request, body included, has arrived; answering it is bounded by upstream timeouts.
    /// Only ends the body phase: a response that went out before the request's end (a rejection) already
    /// moved the connection on, and must not be overridden into a phase with no timeout.
    public mutating func requestReceived() {
        if case .receivingBody = phase { phase = .busy }
    }

    /// The response to the current request has been written.
    public mutating func responseCompleted(now: Double) {
        phase = .idle(since: now)
    }

    /// When `check` could next close the connection, if the client sends nothing more; `nil` while busy.
    public var deadline: Double? {
        switch phase {
        case .idle(let since): return since + limits.idleTimeout
        case .receivingHead(let since, _): return since + limits.headerTimeout
        case .receivingBody(let lastProgress): return lastProgress + limits.bodyTimeout
        case .busy: return nil
        }
    }

    /// Whether the current phase has outlived its timeout.
    public func check(now: Double) -> Verdict {
        switch phase {
        case .idle(let since):
            return now - since >= limits.idleTimeout
                ? .close(status: nil, reason: "keep-alive idle timeout") : .keepOpen
        case .receivingHead(let since, _):
            return now - since >= limits.headerTimeout
                ? .close(status: 408, reason: "request head not received within \(limits.headerTimeout)s") : .keepOpen
        case .receivingBody(let lastProgress):
            return now - lastProgress >= limits.bodyTimeout
                ? .close(status: 408, reason: "no request body bytes for \(limits.bodyTimeout)s") : .keepOpen
        case .busy:
            return .keepOpen
        }
    }
}

/// Events the HTTP layer sends back toward the connection guard at the front of the pipeline.
public enum RequestLifecycleEvent: Sendable {
    case headReceived
    case requestReceived
    case responseCompleted
}
