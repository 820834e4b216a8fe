/// One second of a node's traffic and storage, the unit of the dashboard's graphs. Counts are for that second
/// (so they are also the per-second rates); storage figures are the state at its end.
public struct TrafficSample: Codable, Sendable, Equatable {
    /// Unix time of the second, in whole seconds.
    public var time: Int
    public var requests = 0
    public var hits = 0
    public var misses = 0
    public var bytesSent = 0
    public var status4xx = 0
    public var status5xx = 0
    /// Requests this node sent upstream (to a shield or the origin).
    public var upstreamRequests = 0
    public var upstreamP50Ms: Double?
    public var upstreamP99Ms: Double?
    public var memoryBytes = 0
    public var memoryObjects = 0
    public var diskBytes = 0
    public var diskObjects = 0
    /// Objects the store gave up this second to make room, when the store reports it.
    public var evictions: Int?

    public init(time: Int) {
        self.time = time
    }

    enum CodingKeys: String, CodingKey {
        case time = "t", requests, hits, misses, bytesSent = "bytes_sent", status4xx = "status_4xx",
             status5xx = "status_5xx", upstreamRequests = "upstream_requests", upstreamP50Ms = "upstream_p50_ms",
             upstreamP99Ms = "upstream_p99_ms", memoryBytes = "memory_bytes", memoryObjects = "memory_objects",
             diskBytes = "disk_bytes", diskObjects = "disk_objects", evictions
    }
}

/// What a node counts between two samples; `LiveTraffic` fills one and the sampler drains it every second.
public struct TrafficInterval: Sendable, Equatable {
    public var requests = 0
    public var hits = 0
    public var misses = 0
    public var bytesSent = 0
    public var status4xx = 0
    public var status5xx = 0
    public var upstreamRequests = 0
    public var upstreamLatency = LatencyHistogram()

    public init() {}

    /// Counts one finished client request. `upstreamSeconds` is set when it went upstream.
    public mutating func record(status: Int, hit: Bool, miss: Bool, bytes: Int, upstreamSeconds: Double?) {
        requests += 1
        if hit { hits += 1 }
        if miss { misses += 1 }
        bytesSent += max(0, bytes)
        if (400..<500).contains(status) { status4xx += 1 }
        if (500..<600).contains(status) { status5xx += 1 }
        if let upstreamSeconds {
            upstreamRequests += 1
            upstreamLatency.record(seconds: upstreamSeconds)
        }
    }

    /// The sample of second `time` from these counts (storage figures are the caller's to fill).
    public func sample(time: Int) -> TrafficSample {
        var sample = TrafficSample(time: time)
        sample.requests = requests
        sample.hits = hits
        sample.misses = misses
        sample.bytesSent = bytesSent
        sample.status4xx = status4xx
        sample.status5xx = status5xx
        sample.upstreamRequests = upstreamRequests
        sample.upstreamP50Ms = upstreamLatency.quantileMs(0.5)
        sample.upstreamP99Ms = upstreamLatency.quantileMs(0.99)
        return sample
    }
}

/// A member's health state changing, as seen by one node: marked on the dashboard's health timeline.
public struct HealthChange: Codable, Sendable, Equatable {
    public var time: Int
    public var member: String
    public var from: String?
    public var to: String

    public init(time: Int, member: String, from: String?, to: String) {
        self.time = time
        self.member = member
        self.from = from
        self.to = to
    }

    enum CodingKeys: String, CodingKey {
        case time = "t", member, from, to
    }

    /// The changes between two views of the members' states (name to state); new members appear with
    /// `from: nil`, members that vanished are reported as `gone`. Sorted by name.
    public static func changes(from old: [String: String], to new: [String: String], time: Int) -> [HealthChange] {
        var changes: [HealthChange] = []
        for (name, state) in new where old[name] != state {
            changes.append(HealthChange(time: time, member: name, from: old[name], to: state))
        }
        for (name, state) in old where new[name] == nil {
            changes.append(HealthChange(time: time, member: name, from: state, to: "gone"))
        }
        return changes.sorted { $0.member < $1.member }
    }
}
