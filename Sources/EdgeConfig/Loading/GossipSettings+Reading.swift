extension GossipSettings {
    static let keys = ["probe_interval", "probe_timeout", "suspicion_multiplier", "indirect_probes"]

    /// Overrides only the keys present; a probe timeout must be shorter than the probe interval, or a round would
    /// start before the previous one could time out.
    mutating func apply(_ reader: TableReader) throws(ConfigError) {
        try reader.checkKeys(allowed: Self.keys)
        let minute = Duration.seconds(60)
        let millisecond = Duration.milliseconds(1)
        if let value = try reader.duration("probe_interval", in: (millisecond * 10)...minute) { probeInterval = value }
        if let value = try reader.duration("probe_timeout", in: millisecond...minute) { probeTimeout = value }
        if let value = try reader.integer("suspicion_multiplier", in: 1...100) { suspicionMultiplier = value }
        if let value = try reader.integer("indirect_probes", in: 0...16) { indirectProbes = value }
        if probeTimeout >= probeInterval {
            let key = reader.contains("probe_timeout") ? "probe_timeout" : "probe_interval"
            throw reader.invalid(key, expected: "probe_timeout shorter than probe_interval",
                                 got: "\(DurationText.format(probeTimeout)) >= \(DurationText.format(probeInterval))")
        }
    }
}
