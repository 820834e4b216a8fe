extension DNSSettings {
    static let keys = [
        "zone", "ttl", "negative_ttl", "record_ttl", "answers", "tie_distance_km", "overload_connections",
        "overload_requests_per_second", "hostmaster", "name_servers", "default_location", "geo",
    ]

    static let nameExpected = "a DNS name such as \"cdn.test\""

    mutating func apply(_ reader: TableReader) throws(ConfigError) {
        try reader.checkKeys(allowed: Self.keys)
        if let value = try reader.string("zone", expected: Self.nameExpected) {
            zone = try Self.canonicalName(value, key: "zone", reader: reader)
        }
        let second = Duration.seconds(1)
        let week = Duration.seconds(7 * 86_400)
        if let value = try reader.duration("ttl", in: .zero...week) { ttl = value }
        if let value = try reader.duration("negative_ttl", in: .zero...week) { negativeTTL = value }
        if let value = try reader.duration("record_ttl", in: second...week) { recordTTL = value }
        if let value = try reader.integer("answers", in: 1...8) { answers = value }
        if let value = try reader.number("tie_distance_km", in: 0...20_000, expected: "kilometres from 0 to 20000") {
            tieDistanceKm = value
        }
        if let value = try reader.integer("overload_connections", in: 1...10_000_000) { overloadConnections = value }
        if let value = try reader.number("overload_requests_per_second", in: 1...100_000_000,
                                         expected: "a request rate above zero") {
            overloadRequestsPerSecond = value
        }
        if let value = try reader.string("hostmaster", expected: Self.nameExpected) {
            hostmaster = try Self.canonicalName(value, key: "hostmaster", reader: reader)
        }
        if reader.contains("default_location") {
            defaultLocation = try NodeReader.readLocation(reader, key: "default_location")
        }
        let serverExpected = "an array of tables with name and address ([[dns.name_servers]])"
        for table in try reader.tableArray("name_servers", expected: serverExpected) ?? [] {
            try table.checkKeys(allowed: ["name", "address"])
            guard let name = try table.string("name", expected: Self.nameExpected) else {
                throw table.missing("name", expected: Self.nameExpected)
            }
            let addressExpected = "a literal IPv4 or IPv6 address such as \"127.0.0.1\""
            guard let address = try table.string("address", expected: addressExpected) else {
                throw table.missing("address", expected: addressExpected)
            }
            guard IPAddressText.isIPv4(Substring(address)) || IPAddressText.isIPv6(Substring(address)) else {
                throw table.invalid("address", expected: addressExpected, got: address)
            }
            nameServers.append(NameServer(name: try Self.canonicalName(name, key: "name", reader: table),
                                          address: address))
        }
        let geoExpected = "an array of tables with cidr and location ([[dns.geo]])"
        for table in try reader.tableArray("geo", expected: geoExpected) ?? [] {
            try table.checkKeys(allowed: ["cidr", "location"])
            let cidrExpected = "an address block such as \"203.0.113.0/24\" or \"2001:db8::/32\""
            guard let cidr = try table.string("cidr", expected: cidrExpected) else {
                throw table.missing("cidr", expected: cidrExpected)
            }
            guard Self.isCIDR(cidr) else { throw table.invalid("cidr", expected: cidrExpected, got: cidr) }
            geo.append(GeoEntry(cidr: cidr, location: try NodeReader.readLocation(table)))
        }
    }

    /// Lower case, without the root dot; rejects anything that is not a host name.
    static func canonicalName(_ text: String, key: String, reader: TableReader) throws(ConfigError) -> String {
        var name = text.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        guard IPAddressText.isHostName(Substring(name)), !IPAddressText.isIPv4(Substring(name)) else {
            throw reader.invalid(key, expected: nameExpected, got: text)
        }
        return name
    }

    static func isCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]), !parts[1].isEmpty, parts[1].allSatisfy(\.isASCII) else {
            return false
        }
        if IPAddressText.isIPv4(parts[0]) { return (0...32).contains(bits) }
        if IPAddressText.isIPv6(parts[0]) { return (0...128).contains(bits) }
        return false
    }
}
