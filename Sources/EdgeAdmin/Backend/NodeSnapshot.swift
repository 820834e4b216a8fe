import EdgeCache

/// One cache tier's occupancy.
public struct TierUsage: Codable, Sendable, Equatable {
    /// `memory` or `disk`.
    public var tier: String
    public var objects: Int
    public var bytes: Int
    public var capacityBytes: Int

    public init(tier: String, objects: Int, bytes: Int, capacityBytes: Int) {
        self.tier = tier
        self.objects = objects
        self.bytes = bytes
        self.capacityBytes = capacityBytes
    }

    enum CodingKeys: String, CodingKey {
        case tier, objects, bytes
        case capacityBytes = "capacity_bytes"
    }
}

/// What a node reports about itself in `GET /status` (the members list is added by the admin server).
public struct NodeSnapshot: Codable, Sendable, Equatable {
    public var node: String
    /// `edge` or `shield`.
    public var role: String
    public var uptimeSeconds: Double
    public var cache: [TierUsage]
    /// Hits over cacheable requests since start; `nil` before the first one.
    public var hitRatio: Double?
    public var requests: Int
    /// Response body bytes sent to clients since start.
    public var bytesServed: Int
    /// Rules in the purge ledger.
    public var purgeRules: Int
    /// The disk tier's health (`degraded` while faults persist or the purge ledger cannot be saved); absent
    /// without a disk tier.
    public var disk: DiskHealthReport?

    public init(node: String, role: String, uptimeSeconds: Double, cache: [TierUsage], hitRatio: Double?,
                requests: Int, bytesServed: Int, purgeRules: Int = 0, disk: DiskHealthReport? = nil) {
        self.node = node
        self.role = role
        self.uptimeSeconds = uptimeSeconds
        self.cache = cache
        self.hitRatio = hitRatio
        self.requests = requests
        self.bytesServed = bytesServed
        self.purgeRules = purgeRules
        self.disk = disk
    }

    enum CodingKeys: String, CodingKey {
        case node, role, cache, requests, disk
        case uptimeSeconds = "uptime_seconds"
        case hitRatio = "hit_ratio"
        case bytesServed = "bytes_served"
        case purgeRules = "purge_rules"
    }
}
