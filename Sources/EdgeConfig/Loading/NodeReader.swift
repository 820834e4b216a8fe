import Foundation

/// A node as read, with where its cross-checked settings were written (the node itself or `[defaults]`), so
/// validation errors point at the line to edit.
struct ParsedNode {
    var node: NodeConfiguration
    let path: ConfigKeyPath
    let originsPath: ConfigKeyPath
    let diskPathPath: ConfigKeyPath
    let shieldsPath: ConfigKeyPath
}

/// Reads one `[[nodes]]` entry on top of the defaults.
enum NodeReader {
    static let keys = ["name", "role", "listen", "https_listen", "https_public_port", "metrics_listen", "gossip_listen", "admin_listen", "dns_listen", "public_address", "location", "cache",
                       "upstream", "limits", "logging", "gossip", "compression"]
    static let locationExpected = "a table with latitude, longitude and region, "
        + "such as { latitude = 50.11, longitude = 8.68, region = \"eu-central\" }"

    static func read(_ reader: TableReader, defaults: NodeDefaults, defaultsReader: TableReader?)
        throws(ConfigError) -> ParsedNode {
        try reader.checkKeys(allowed: keys, sections: NodeDefaults.sections)

        guard let name = try reader.string("name", expected: NameRules.description) else {
            throw reader.missing("name", expected: NameRules.description)
        }
        guard NameRules.isValid(name) else { throw reader.invalid("name", expected: NameRules.description, got: name) }

        var role = NodeConfiguration.Role.edge
        let roleExpected = "\"edge\" or \"shield\""
        if let text = try reader.string("role", expected: roleExpected) {
            guard let value = NodeConfiguration.Role(rawValue: text) else {
                throw reader.invalid("role", expected: roleExpected, got: text)
            }
            role = value
        }

        guard let listen = try reader.listenAddress("listen") else {
            throw reader.missing("listen", expected: TableReader.listenExpected)
        }
        let metricsListen = try reader.listenAddress("metrics_listen")
        let httpsListen = try reader.listenAddress("https_listen")
        let httpsPublicPort = try reader.integer("https_public_port", in: 1...65_535)
        if httpsPublicPort != nil, httpsListen == nil {
            throw reader.invalid("https_public_port", expected: "a node with https_listen",
                                 got: "no https_listen on this node")
        }
        let gossipListen = try reader.listenAddress("gossip_listen")
        let dnsListen = try reader.listenAddress("dns_listen")
        let addressExpected = "a literal IPv4 or IPv6 address such as \"192.0.2.10\""
        var publicAddress: String?
        if let value = try reader.string("public_address", expected: addressExpected) {
            guard IPAddressText.isIPv4(Substring(value)) || IPAddressText.isIPv6(Substring(value)) else {
                throw reader.invalid("public_address", expected: addressExpected, got: value)
            }
            publicAddress = value
        }
        let adminListen = try reader.listenAddress("admin_listen")
        let location = try readLocation(reader)

        var node = NodeConfiguration(name: name, role: role, listen: listen, location: location,
                                     cache: defaults.cache, upstream: defaults.upstream,
                                     limits: defaults.limits, logging: defaults.logging)
        node.metricsListen = metricsListen
        node.httpsListen = httpsListen
        node.httpsPublicPort = httpsPublicPort
        node.gossipListen = gossipListen
        node.dnsListen = dnsListen
        node.publicAddress = publicAddress
        node.adminListen = adminListen
        node.gossip = defaults.gossip
        node.compression = defaults.compression
        let sections = try NodeSections(reader)
        if let table = sections.cache { try node.cache.apply(table, isDefaults: false) }
        if let table = sections.upstream { try node.upstream.apply(table) }
        if let table = sections.limits { try node.limits.apply(table) }
        if let table = sections.logging { try node.logging.apply(table) }
        if let table = sections.gossip { try node.gossip.apply(table) }
        if let table = sections.compression { try node.compression.apply(table) }
        let defaultSections = try defaultsReader.map { reader throws(ConfigError) in try NodeSections(reader) }

        /// Where a section key was last set: the node, else `[defaults]`, else (built-in) the node's own table.
        func source(_ section: KeyPath<NodeSections, TableReader?>, _ sectionName: String, _ key: String)
            -> ConfigKeyPath {
            if let table = sections[keyPath: section], table.contains(key) { return table.path(key) }
            if let table = defaultSections?[keyPath: section], table.contains(key) { return table.path(key) }
            return reader.path.appending(sectionName).appending(key)
        }

        if node.cache.cacheName.isEmpty { node.cache.cacheName = name }
        node.cache.diskPath = node.cache.diskPath.replacingOccurrences(of: "{node}", with: name)
        if node.cache.memoryMaxObjectSize > node.cache.memorySize {
            let path = source(\.cache, "cache", "memory_max_object_size")
            throw reader.context.error(
                .invalidValue, at: path,
                "expected a size no larger than memory_size (\(ByteSize.format(node.cache.memorySize))), "
                    + "got \(ByteSize.format(node.cache.memoryMaxObjectSize))")
        }
        let originsPath = source(\.upstream, "upstream", "origins")
        if node.upstream.origins.isEmpty {
            throw reader.context.error(
                .missingKey, at: originsPath,
                "missing required key; expected \(UpstreamSettings.originsExpected), here or in [defaults.upstream]")
        }
        return ParsedNode(node: node, path: reader.path, originsPath: originsPath,
                          diskPathPath: source(\.cache, "cache", "disk_path"),
                          shieldsPath: source(\.upstream, "upstream", "shields"))
    }

    /// Reads `{ latitude, longitude, region }` under `key` (also used by `[dns]` for geo entries).
    static func readLocation(_ reader: TableReader, key: String = "location") throws(ConfigError)
        -> NodeConfiguration.Location {
        guard let table = try reader.subtable(key, expected: locationExpected) else {
            throw reader.missing(key, expected: locationExpected)
        }
        try table.checkKeys(allowed: ["latitude", "longitude", "region"])
        let latitudeExpected = "a latitude in degrees from -90 to 90"
        let longitudeExpected = "a longitude in degrees from -180 to 180"
        guard let latitude = try table.number("latitude", in: -90...90, expected: latitudeExpected) else {
            throw table.missing("latitude", expected: latitudeExpected)
        }
        guard let longitude = try table.number("longitude", in: -180...180, expected: longitudeExpected) else {
            throw table.missing("longitude", expected: longitudeExpected)
        }
        let regionExpected = "a region label such as \"eu-central\""
        guard let region = try table.nonEmptyString("region", expected: regionExpected) else {
            throw table.missing("region", expected: regionExpected)
        }
        return NodeConfiguration.Location(latitude: latitude, longitude: longitude, region: region)
    }
}

/// The optional per-node (or `[defaults]`) section tables.
struct NodeSections {
    let cache: TableReader?
    let upstream: TableReader?
    let limits: TableReader?
    let logging: TableReader?
    let gossip: TableReader?
    let compression: TableReader?

    init(_ reader: TableReader) throws(ConfigError) {
        cache = try reader.subtable("cache", expected: "a table")
        upstream = try reader.subtable("upstream", expected: "a table")
        limits = try reader.subtable("limits", expected: "a table")
        logging = try reader.subtable("logging", expected: "a table")
        gossip = try reader.subtable("gossip", expected: "a table")
        compression = try reader.subtable("compression", expected: "a table")
    }
}
