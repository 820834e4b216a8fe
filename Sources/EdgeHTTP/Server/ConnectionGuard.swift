/// The pure rules that keep slow or oversized clients from pinning a connection.
///
/// A connection is *idle* between requests (bounded by the keep-alive idle timeout), *receiving a head* from
/// the first byte of a request until its head is parsed (bounded by the header timeout and by a byte cap, so a
/// client can neither trickle a header forever nor send an endless request line), and *busy* while a request
/// is being answered (upstream timeouts bound that part). The channel handler feeds events in and acts on the
/// verdicts; all time is passed in.
public struct ConnectionGuard: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case idle(since: Double)
        case receivingHead(since: Double, bytes: Int)
        case busy
    }

    public enum Verdict: Sendable, Equatable {
        case keepOpen
        /// Close the connection; `status` is the response to send first, if one can still be sent.
        case close(status: Int?, reason: String)
    }

    public private(set) var phase: Phase
    public let headerTimeout: Double
    public let idleTimeout: Double
    public let maxHeadBytes: Int

    public init(now: Double, headerTimeout: Double, idleTimeout: Double, maxHeadBytes: Int) {
        self.phase = .idle(since: now)
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxHeadBytes = maxHeadBytes
    }

    /// Raw bytes arrived from the client.
    public mutating func bytesReceived(_ count: Int, now: Double) -> Verdict {
        switch phase {
        case .idle:
            phase = .receivingHead(since: now, bytes: count)
        case .receivingHead(let since, let bytes):
            phase = .receivingHead(since: since, bytes: bytes + count)
        case .busy:
            return .keepOpen  // pipelined bytes; the pipelining handler stops reading until the response is done
        }
        if case .receivingHead(_, let bytes) = phase, bytes > maxHeadBytes {
            return .close(status: 431, reason: "request head larger than \(maxHeadBytes) bytes")
        }
        return .keepOpen
    }

    /// A complete request head was parsed.
    public mutating func headReceived() {
        phase = .busy
    }

    /// The response to the current request has been written.
    public mutating func responseCompleted(now: Double) {
        phase = .idle(since: now)
    }

    /// Checked periodically.
    public func check(now: Double) -> Verdict {
        switch phase {
        case .idle(let since):
            return now - since >= idleTimeout ? .close(status: nil, reason: "keep-alive idle timeout") : .keepOpen
        case .receivingHead(let since, _):
            return now - since >= headerTimeout
                ? .close(status: 408, reason: "request head not received within \(headerTimeout)s") : .keepOpen
        case .busy:
            return .keepOpen
        }
    }
}

/// Events the request handler sends back toward the connection guard at the front of the pipeline.
public enum RequestLifecycleEvent: Sendable {
    case headReceived
    case responseCompleted
}
