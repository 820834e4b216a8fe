extension NodeDefaults {
    static let keys = ["cache", "upstream", "limits", "logging", "gossip", "compression"]

    /// The per-node sections, for "did you mean cache.memory_size?" when a key sits one level too high.
    static let sections: [(name: String, keys: [String])] = [
        ("cache", CacheSettings.keys), ("upstream", UpstreamSettings.keys), ("limits", ServerLimits.keys),
        ("logging", LoggingSettings.keys), ("gossip", GossipSettings.keys), ("compression", CompressionConfig.keys),
    ]

    /// Built-in defaults with the disk path template made absolute, before `[defaults]` is applied.
    init(context: ReadContext) {
        self.init()
        cache.diskPath = context.resolvePath(cache.diskPath)
    }

    mutating func apply(_ reader: TableReader) throws(ConfigError) {
        try reader.checkKeys(allowed: Self.keys, sections: Self.sections)
        if let table = try reader.subtable("cache", expected: "a table") { try cache.apply(table, isDefaults: true) }
        if let table = try reader.subtable("upstream", expected: "a table") { try upstream.apply(table) }
        if let table = try reader.subtable("limits", expected: "a table") { try limits.apply(table) }
        if let table = try reader.subtable("logging", expected: "a table") { try logging.apply(table) }
        if let table = try reader.subtable("gossip", expected: "a table") { try gossip.apply(table) }
        if let table = try reader.subtable("compression", expected: "a table") { try compression.apply(table) }
    }
}
