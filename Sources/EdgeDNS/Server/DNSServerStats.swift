import Foundation

/// Counters since the server started, for the lead to turn into metrics.
public struct DNSServerStats: Hashable, Sendable {
    /// Datagrams received.
    public var udpQueries = 0
    /// Length-framed messages received over TCP.
    public var tcpQueries = 0
    /// Queries with a question, by its type (`A`, `AAAA`, `NS`, …; types without a name count as `other`, so
    /// the label set stays bounded whatever a sender puts in QTYPE).
    public var questionsByType: [String: Int] = [:]
    /// Responses sent, by response code.
    public var responses: [DNSResponseCode: Int] = [:]
    /// UDP responses cut to header + question with TC=1.
    public var truncated = 0
    /// Packets that got no response, by reason.
    public var dropped: [DNSDropReason: Int] = [:]
    /// Packets that failed to decode (answered FORMERR, or dropped when not even a header was there).
    public var malformed = 0
    /// Routed answers that came from the last-known memory because no edge was usable.
    public var lastKnownAnswers = 0
    public var tcpConnectionsAccepted = 0
    /// Connections closed at once because `maxTCPConnections` were open.
    public var tcpConnectionsRejected = 0
    public var tcpConnectionsOpen = 0
    /// Connections closed for announcing a message over `maxTCPMessageBytes`.
    public var tcpOversizeMessages = 0
    /// Connections closed after `tcpIdleTimeout` without a query.
    public var tcpIdleTimeouts = 0

    public init() {}

    /// Every query received, both transports.
    public var queries: Int { udpQueries + tcpQueries }

    /// The types a zone like this one is asked about, by name; anything else is `other`.
    public static let namedTypes: [DNSRecordType] = [.a, .aaaa, .ns, .soa, .cname, .txt, .mx, .ptr, .any]

    static func typeLabel(_ type: DNSRecordType) -> String {
        namedTypes.contains(type) ? type.description : "other"
    }
}

/// The shared, locked counters behind `DNSServerStats`. One short critical section per packet; the event loops
/// serialise on it, which costs far less than the response encoding itself at the rates one node sees.
final class DNSServerCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var stats = DNSServerStats()
    private var lastKnownLoggedAt: UInt64?

    func snapshot() -> DNSServerStats {
        withLock { stats }
    }

    func record(_ result: DNSResponderResult, transport: DNSTransport) {
        withLock {
            switch transport {
            case .udp: stats.udpQueries += 1
            case .tcp: stats.tcpQueries += 1
            }
            if let question = result.question {
                stats.questionsByType[DNSServerStats.typeLabel(question.type), default: 0] += 1
            }
            if let code = result.responseCode { stats.responses[code, default: 0] += 1 }
            if let reason = result.dropReason { stats.dropped[reason, default: 0] += 1 }
            if result.isTruncated { stats.truncated += 1 }
            if result.decodeError != nil { stats.malformed += 1 }
            if result.route?.fromLastKnown == true { stats.lastKnownAnswers += 1 }
        }
    }

    /// Takes a connection slot, or counts a rejection and returns false.
    func openConnection(limit: Int) -> Bool {
        withLock {
            guard stats.tcpConnectionsOpen < limit else {
                stats.tcpConnectionsRejected += 1
                return false
            }
            stats.tcpConnectionsOpen += 1
            stats.tcpConnectionsAccepted += 1
            return true
        }
    }

    func closeConnection() {
        withLock { stats.tcpConnectionsOpen -= 1 }
    }

    func countOversize() {
        withLock { stats.tcpOversizeMessages += 1 }
    }

    func countIdleTimeout() {
        withLock { stats.tcpIdleTimeouts += 1 }
    }

    /// True at most once per `interval` nanoseconds, so a cluster-wide outage logs a line every few seconds
    /// rather than one per query.
    func shouldLogLastKnown(nowNanoseconds: UInt64, interval: UInt64 = 10_000_000_000) -> Bool {
        withLock {
            if let last = lastKnownLoggedAt, nowNanoseconds &- last < interval { return false }
            lastKnownLoggedAt = nowNanoseconds
            return true
        }
    }

    private func withLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}
