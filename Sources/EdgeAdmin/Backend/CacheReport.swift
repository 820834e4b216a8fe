/// Where and how one URL is cached on a node (`GET /cache?url=`).
public struct CacheReport: Codable, Sendable, Equatable {
    /// One stored variant of the URL (a Vary or encoding variant).
    public struct Variant: Codable, Sendable, Equatable {
        /// The request's values for the Vary fields; "" when the response has no Vary.
        public var variantKey: String
        /// `memory`, `disk` or both.
        public var tiers: [String]
        public var status: Int
        public var ageSeconds: Double
        /// Freshness left; negative once stale.
        public var ttlSeconds: Double
        public var tags: [String]
        public var bodyBytes: Int
        /// The purge ledger's verdict: `keep`, `stale` (soft-purged) or `purged`.
        public var purge: String

        public init(variantKey: String, tiers: [String], status: Int, ageSeconds: Double, ttlSeconds: Double,
                    tags: [String], bodyBytes: Int, purge: String = "keep") {
            self.variantKey = variantKey
            self.tiers = tiers
            self.status = status
            self.ageSeconds = ageSeconds
            self.ttlSeconds = ttlSeconds
            self.tags = tags
            self.bodyBytes = bodyBytes
            self.purge = purge
        }

        enum CodingKeys: String, CodingKey {
            case tiers, status, tags, purge
            case variantKey = "variant_key"
            case ageSeconds = "age_seconds"
            case ttlSeconds = "ttl_seconds"
            case bodyBytes = "body_bytes"
        }
    }

    /// The node that answered (filled in by the admin server).
    public var node: String
    /// The normalised primary key the URL maps to.
    public var primaryKey: String
    public var variants: [Variant]

    public var cached: Bool { !variants.isEmpty }

    public init(node: String = "", primaryKey: String, variants: [Variant]) {
        self.node = node
        self.primaryKey = primaryKey
        self.variants = variants
    }

    enum CodingKeys: String, CodingKey {
        case node, variants, cached
        case primaryKey = "primary_key"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        node = try container.decode(String.self, forKey: .node)
        primaryKey = try container.decode(String.self, forKey: .primaryKey)
        variants = try container.decode([Variant].self, forKey: .variants)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(node, forKey: .node)
        try container.encode(primaryKey, forKey: .primaryKey)
        try container.encode(cached, forKey: .cached)
        try container.encode(variants, forKey: .variants)
    }
}
