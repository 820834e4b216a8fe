extension ClusterSettings {
    static let keys = ["name", "service_names", "gossip_key", "unknown_hosts", "strip_internal_headers"]

    mutating func apply(_ reader: TableReader) throws(ConfigError) {
        try reader.checkKeys(allowed: Self.keys)
        if let value = try reader.string("name", expected: NameRules.description) {
            guard NameRules.isValid(value) else {
                throw reader.invalid("name", expected: NameRules.description, got: value)
            }
            name = value
        }
        let keyExpected = "a secret of at least 16 characters shared by every node"
        if let value = try reader.string("gossip_key", expected: keyExpected) {
            guard value.utf8.count >= 16 else { throw reader.invalid("gossip_key", expected: keyExpected, got: value) }
            gossipKey = value
        }
        let policies = UnknownHosts.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
        if let value = try reader.string("unknown_hosts", expected: policies) {
            guard let policy = UnknownHosts(rawValue: value) else {
                throw reader.invalid("unknown_hosts", expected: policies, got: value)
            }
            unknownHosts = policy
        }
        if let value = try reader.bool("strip_internal_headers") { stripInternalHeaders = value }
        let expected = "a list of DNS names such as [\"www.cdn.test\"]"
        if let entries = try reader.stringArray("service_names", expected: expected) {
            var names: [String] = []
            for entry in entries {
                guard IPAddressText.isHostName(Substring(entry.text)), !IPAddressText.isIPv4(Substring(entry.text)) else {
                    throw reader.context.error(.invalidValue, at: entry.path,
                                               "expected a DNS name such as \"www.cdn.test\", "
                                                   + "got \(ValueDescription.quote(entry.text))")
                }
                // Host matching is case-insensitive and ignores the root dot; store the canonical form once.
                var canonical = entry.text.lowercased()
                if canonical.hasSuffix(".") { canonical.removeLast() }
                if names.contains(canonical) {
                    throw reader.context.error(.duplicate, at: entry.path,
                                               "duplicate service name \(ValueDescription.quote(canonical))")
                }
                names.append(canonical)
            }
            serviceNames = names
        }
    }
}
