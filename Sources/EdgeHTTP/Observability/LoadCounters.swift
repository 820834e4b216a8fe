import Synchronization

/// How busy this node is, in numbers cheap enough to update on every connection and request: what the node
/// gossips to its peers as its load.
public final class LoadCounters: Sendable {
    private let connections = Atomic<Int>(0)
    private let requests = Atomic<Int>(0)

    public init() {}

    func connectionOpened() { connections.wrappingAdd(1, ordering: .relaxed) }
    func connectionClosed() { connections.wrappingSubtract(1, ordering: .relaxed) }
    func requestServed() { requests.wrappingAdd(1, ordering: .relaxed) }

    /// Client connections open right now.
    public var activeConnections: Int { max(0, connections.load(ordering: .relaxed)) }
    /// Requests answered since start; the rate is the difference between two readings.
    public var requestsServed: Int { requests.load(ordering: .relaxed) }
}
