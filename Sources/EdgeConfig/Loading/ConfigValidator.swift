/// Checks that span entries: names unique, listeners not clashing, upstream references resolvable, disk
/// directories not shared. Each error points at the later of two clashing entries and names the earlier one.
enum ConfigValidator {
    static func validate(nodes: [ParsedNode], origins: [ParsedOrigin], context: ReadContext) throws(ConfigError) {
        try checkUniqueNames(origins.map { ($0.origin.name, $0.path.appending("name")) }, what: "origin",
                             context: context)
        try checkUniqueNames(nodes.map { ($0.node.name, $0.path.appending("name")) }, what: "node", context: context)
        try checkListeners(nodes: nodes, origins: origins, context: context)
        try checkUpstreams(nodes: nodes, origins: origins, context: context)
        try checkShields(nodes: nodes, context: context)
        try checkShieldTLS(nodes: nodes, context: context)
        try checkDiskPaths(nodes: nodes, context: context)
    }

    private static func lineNote(_ path: ConfigKeyPath, _ context: ReadContext) -> String {
        context.lines.nearestLine(of: path).map { " (line \($0))" } ?? ""
    }

    private static func checkUniqueNames(_ entries: [(name: String, path: ConfigKeyPath)], what: String,
                                         context: ReadContext) throws(ConfigError) {
        var seen: [String: ConfigKeyPath] = [:]
        for entry in entries {
            if let first = seen[entry.name] {
                throw context.error(.duplicate, at: entry.path,
                                    "duplicate \(what) name \"\(entry.name)\"; already defined\(lineNote(first, context))")
            }
            seen[entry.name] = entry.path
        }
    }

    private static func checkListeners(nodes: [ParsedNode], origins: [ParsedOrigin],
                                       context: ReadContext) throws(ConfigError) {
        var listeners: [(address: SocketAddressSpec, owner: String, path: ConfigKeyPath)] = []
        for parsed in origins {
            if let listen = parsed.origin.listen {
                listeners.append((listen, "origin \(parsed.origin.name)", parsed.path.appending("listen")))
            }
        }
        for parsed in nodes {
            listeners.append((parsed.node.listen, "node \(parsed.node.name)", parsed.path.appending("listen")))
            if let dns = parsed.node.dnsListen {
                listeners.append((dns, "node \(parsed.node.name) (dns)", parsed.path.appending("dns_listen")))
            }
            if let gossip = parsed.node.gossipListen {
                listeners.append((gossip, "node \(parsed.node.name) (gossip)", parsed.path.appending("gossip_listen")))
            }
            if let https = parsed.node.httpsListen {
                listeners.append((https, "node \(parsed.node.name) (https)", parsed.path.appending("https_listen")))
            }
            if let metrics = parsed.node.metricsListen {
                listeners.append((metrics, "node \(parsed.node.name) (metrics)", parsed.path.appending("metrics_listen")))
            }
            if let admin = parsed.node.adminListen {
                listeners.append((admin, "node \(parsed.node.name) (admin)", parsed.path.appending("admin_listen")))
            }
        }
        // Report in file order so the message lands on the entry written second.
        let ordered = listeners.sorted {
            (context.lines.nearestLine(of: $0.path) ?? 0) < (context.lines.nearestLine(of: $1.path) ?? 0)
        }
        for (index, listener) in ordered.enumerated() {
            if let earlier = ordered[..<index].first(where: { $0.address.conflicts(with: listener.address) }) {
                throw context.error(.duplicate, at: listener.path,
                                    "address \(listener.address) is already used by \(earlier.owner)"
                                        + lineNote(earlier.path, context))
            }
        }
    }

    private static func checkUpstreams(nodes: [ParsedNode], origins: [ParsedOrigin],
                                       context: ReadContext) throws(ConfigError) {
        let names = origins.map(\.origin.name)
        for parsed in nodes {
            for (index, entry) in parsed.node.upstream.origins.enumerated() {
                let path = parsed.originsPath.appending(index: index)
                let endpoint: OriginEndpoint?
                let label: String
                if entry.contains("://") {
                    endpoint = OriginEndpoint.parse(entry)
                    label = "\"\(entry)\""
                } else if let origin = origins.first(where: { $0.origin.name == entry }) {
                    endpoint = origin.origin.endpoint
                    label = "origin \(entry) (\(origin.origin.url))"
                } else {
                    throw context.error(.unknownReference, at: path, unknownOriginMessage(entry, names: names))
                }
                // A node whose upstream is its own listener would fetch from itself until it ran out of sockets.
                if let endpoint, case .success(let target) = SocketAddressSpec.parse(endpoint.hostAndPort),
                   target.conflicts(with: parsed.node.listen) {
                    throw context.error(.invalidValue, at: path,
                                        "\(label) is node \(parsed.node.name)'s own listen address "
                                            + "\(parsed.node.listen); the node would fetch from itself")
                }
            }
        }
    }

    /// An edge with `upstream.shield_tls` reaches its shields on their `https_listen`: each must have one.
    private static func checkShieldTLS(nodes: [ParsedNode], context: ReadContext) throws(ConfigError) {
        for parsed in nodes where parsed.node.role == .edge && parsed.node.upstream.shieldTLS {
            let shields = parsed.node.upstream.shields.map { names in nodes.filter { names.contains($0.node.name) } }
                ?? nodes.filter { $0.node.role == .shield }
            for shield in shields where shield.node.httpsListen == nil {
                throw context.error(.missingKey, at: shield.path.appending("https_listen"),
                                    "node \(parsed.node.name) has upstream.shield_tls = true, so shield "
                                        + "\(shield.node.name) needs an https_listen")
            }
        }
    }

    /// Shield lists name shield nodes, and only edges have them: a shield fetching through another shield (or
    /// an edge through an edge) would be a loop in the making, which CDN-Loop would then refuse at run time.
    private static func checkShields(nodes: [ParsedNode], context: ReadContext) throws(ConfigError) {
        for parsed in nodes {
            guard let shields = parsed.node.upstream.shields else { continue }
            if parsed.node.role == .shield && !shields.isEmpty {
                throw context.error(.invalidValue, at: parsed.shieldsPath,
                                    "expected no shields for node \(parsed.node.name), which is itself a shield "
                                        + "(a shield's upstream is the origin); got \(shields)")
            }
            for (index, name) in shields.enumerated() {
                let path = parsed.shieldsPath.appending(index: index)
                guard let target = nodes.first(where: { $0.node.name == name }) else {
                    var message = "no node named \"\(name)\""
                    let shieldNames = nodes.filter { $0.node.role == .shield }.map(\.node.name)
                    if let suggestion = KeySuggestion.closest(to: name, in: shieldNames) {
                        message += "; did you mean \(suggestion)?"
                    }
                    throw context.error(.unknownReference, at: path, message)
                }
                guard target.node.role == .shield else {
                    throw context.error(.invalidValue, at: path,
                                        "expected a node with role \"shield\", got \"\(name)\" (role "
                                            + "\"\(target.node.role.rawValue)\")")
                }
            }
        }
    }

    /// A responder needs a zone, and every service name must be inside it (it would answer REFUSED otherwise).
    static func checkDNS(_ dns: DNSSettings, cluster: ClusterSettings, nodes: [ParsedNode],
                         root: TableReader) throws(ConfigError) {
        let responders = nodes.filter { $0.node.dnsListen != nil }
        guard let zone = dns.zone else {
            if let first = responders.first {
                throw root.context.error(.missingKey, at: ConfigKeyPath.root.appending("dns").appending("zone"),
                                         "expected a zone such as \"cdn.test\" in [dns], since node "
                                             + "\(first.node.name) has dns_listen")
            }
            return
        }
        for name in cluster.serviceNames where !(name == zone || name.hasSuffix("." + zone)) {
            throw root.context.error(.invalidValue, at: ConfigKeyPath.root.appending("cluster").appending("service_names"),
                                     "expected names inside the [dns] zone \"\(zone)\", got \"\(name)\"")
        }
    }

    private static func unknownOriginMessage(_ name: String, names: [String]) -> String {
        var message = "no origin named \"\(name)\""
        if let suggestion = KeySuggestion.closest(to: name, in: names) {
            return message + "; did you mean \(suggestion)?"
        }
        if names.isEmpty {
            message += "; the file defines no [[origins]] (add one, or use a URL such as \"http://127.0.0.1:8080\")"
        } else {
            message += " (origins in this file: \(names.joined(separator: ", ")))"
        }
        return message
    }

    private static func checkDiskPaths(nodes: [ParsedNode], context: ReadContext) throws(ConfigError) {
        var seen: [String: ParsedNode] = [:]
        for parsed in nodes where parsed.node.cache.diskSize > 0 {
            if let first = seen[parsed.node.cache.diskPath] {
                // Two disk tiers in one directory would evict and overwrite each other's files.
                throw context.error(.duplicate, at: parsed.diskPathPath,
                                    "directory \(parsed.node.cache.diskPath) is already used by node "
                                        + "\(first.node.name); give each node its own, e.g. \"var/cache/{node}\"")
            }
            seen[parsed.node.cache.diskPath] = parsed
        }
    }
}
