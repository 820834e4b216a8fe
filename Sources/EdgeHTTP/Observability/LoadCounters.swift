import Synchronization

/// How busy this node is, in numbers cheap enough to update on every connection and request: what the node
/// gossips to its peers as its load.
public final class LoadCounters: Sendable {
    private let connections = Atomic<Int>(0)
    private let requests = Atomic<Int>(0)
    private let hits = Atomic<Int>(0)
    private let cacheable = Atomic<Int>(0)
    private let bodyBytes = Atomic<Int>(0)

    public init() {}

    func connectionOpened() { connections.wrappingAdd(1, ordering: .relaxed) }
    func connectionClosed() { connections.wrappingSubtract(1, ordering: .relaxed) }
    func requestServed() { requests.wrappingAdd(1, ordering: .relaxed) }

    /// Counts a response for the status page: whether the cache could have answered it (GET/HEAD through the
    /// cache) and whether it did, and the body bytes sent.
    func responded(cacheable isCacheable: Bool, hit: Bool, bytes: Int) {
        if isCacheable { cacheable.wrappingAdd(1, ordering: .relaxed) }
        if hit { hits.wrappingAdd(1, ordering: .relaxed) }
        if bytes > 0 { bodyBytes.wrappingAdd(bytes, ordering: .relaxed) }
    }

    /// Hits over cacheable requests since start; `nil` before the first one.
    public var hitRatio: Double? {
        let total = cacheable.load(ordering: .relaxed)
        return total > 0 ? Double(hits.load(ordering: .relaxed)) / Double(total) : nil
    }

    public var bytesServed: Int { bodyBytes.load(ordering: .relaxed) }

    /// Client connections open right now.
    public var activeConnections: Int { max(0, connections.load(ordering: .relaxed)) }
    /// Requests answered since start; the rate is the difference between two readings.
    public var requestsServed: Int { requests.load(ordering: .relaxed) }
}
