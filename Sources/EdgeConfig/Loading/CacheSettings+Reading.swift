extension CacheSettings {
    static let keys = [
        "memory_size", "memory_max_object_size", "disk_path", "disk_size", "disk_max_objects", "heuristic_fraction",
        "heuristic_max",
        "stale_if_error", "stale_while_revalidate", "share_set_cookie", "honour_cdn_cache_control", "cache_name",
    ]

    /// Overrides only the keys present in `reader`, so a node's `[nodes.cache]` refines `[defaults.cache]` key by key.
    mutating func apply(_ reader: TableReader, isDefaults: Bool) throws(ConfigError) {
        try reader.checkKeys(allowed: Self.keys)
        if let value = try reader.byteSize("memory_size", in: (1 << 10)...(1 << 40)) { memorySize = value }
        if let value = try reader.byteSize("memory_max_object_size", in: 1...(1 << 40)) { memoryMaxObjectSize = value }
        if let value = try reader.nonEmptyString("disk_path", expected: "a directory path") {
            diskPath = reader.context.resolvePath(value)
        }
        if let value = try reader.byteSize("disk_size", in: 0...ByteSize.maximum) { diskSize = value }
        if let value = try reader.integer("disk_max_objects", in: 1...1_000_000_000) { diskMaxObjects = value }
        if let value = try reader.number("heuristic_fraction", in: 0...1, expected: "a number from 0 to 1") {
            heuristicFraction = value
        }
        let week = Duration.seconds(7 * 86_400)
        if let value = try reader.duration("heuristic_max", in: .zero...DurationText.maximum) { heuristicMax = value }
        if let value = try reader.duration("stale_if_error", in: .zero...week) { staleIfError = value }
        if let value = try reader.duration("stale_while_revalidate", in: .zero...week) { staleWhileRevalidate = value }
        if let value = try reader.bool("share_set_cookie") { shareSetCookie = value }
        if let value = try reader.bool("honour_cdn_cache_control") { honourCDNCacheControl = value }
        if let value = try reader.string("cache_name", expected: NameRules.cacheNameDescription) {
            if isDefaults {
                throw reader.error(.invalidValue, "cache_name",
                                   "cache_name names one node's cache in Cache-Status; set it in that node's cache table")
            }
            guard NameRules.isValidCacheName(value) else {
                throw reader.invalid("cache_name", expected: NameRules.cacheNameDescription, got: value)
            }
            cacheName = value
        }
    }
}
