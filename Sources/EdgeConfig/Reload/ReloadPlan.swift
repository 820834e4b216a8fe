/// What reloading one node's configuration changes: the keys a running node takes on at once, and the ones
/// that only take effect after a restart.
///
/// Pure, so the decision is tested without a process: the node applies `live` and logs `needsRestart`, so a
/// change an operator made is never silently ignored. Keys are named as in `edge.conf`. A key is live when the
/// running node can take it without dropping connections, cache contents or gossip membership; what needs a
/// restart is what a listener, the disk tier, the gossip member or the upstream connection pools were built
/// with.
public struct ReloadPlan: Sendable, Equatable {
    /// Changed keys the node applies without a restart.
    public var live: [String] = []
    /// Changed keys (or sections) that need a restart to take effect.
    public var needsRestart: [String] = []

    /// Whether the two configurations differ in anything this node reads.
    public var isEmpty: Bool { live.isEmpty && needsRestart.isEmpty }

    public init(live: [String] = [], needsRestart: [String] = []) {
        self.live = live
        self.needsRestart = needsRestart
    }

    /// The name a change of the shield list derived from other nodes' entries is reported under.
    public static let shieldListKey = "shields (other nodes' listen addresses)"

    /// Compares node `name` in `old` and `new`. A node missing from `new` is reported as needing a restart.
    public init(from old: EdgeConfiguration, to new: EdgeConfiguration, node name: String) {
        guard let before = old.nodes.first(where: { $0.name == name }),
              let after = new.nodes.first(where: { $0.name == name }) else {
            needsRestart = ["nodes (\(name) is no longer listed)"]
            return
        }
        var plan = ReloadPlan()
        for key in Self.liveNodeKeys where key.differs(before, after) { plan.live.append(key.name) }
        if Self.accessLogIsLive(before.logging.accessLog, after.logging.accessLog),
           before.logging.accessLog != after.logging.accessLog {
            plan.live.append("logging.access_log")
        }
        for key in Self.liveClusterKeys where key.differs(old, new) { plan.live.append(key.name) }
        if Self.shieldEndpoints(old, before) != Self.shieldEndpoints(new, after) {
            plan.live.append(Self.shieldListKey)
        }
        // Restart: everything else the node reads, compared after taking the live keys over, so a section is
        // named only when something in it that is not live changed.
        let running = Self.running(old, takingLiveKeysFrom: new, node: name)
        guard let kept = running.nodes.first(where: { $0.name == name }) else { self = plan; return }
        plan.compare("logging.access_log", kept.logging.accessLog, after.logging.accessLog)
        plan.compare("role", kept.role, after.role)
        plan.compare("listen", kept.listen, after.listen)
        plan.compare("metrics_listen", kept.metricsListen, after.metricsListen)
        plan.compare("https_listen", kept.httpsListen, after.httpsListen)
        plan.compare("https_public_port", kept.httpsPublicPort, after.httpsPublicPort)
        plan.compare("gossip_listen", kept.gossipListen, after.gossipListen)
        plan.compare("dns_listen", kept.dnsListen, after.dnsListen)
        plan.compare("admin_listen", kept.adminListen, after.adminListen)
        plan.compare("public_address", kept.publicAddress, after.publicAddress)
        plan.compare("location", kept.location, after.location)
        plan.compare("gossip", kept.gossip, after.gossip)
        plan.compare("cache", kept.cache, after.cache)
        plan.compare("upstream", kept.upstream, after.upstream)
        plan.compare("[cluster]", running.cluster, new.cluster)
        plan.compare("[admin]", running.admin, new.admin)
        plan.compare("[dns]", running.dns, new.dns)
        plan.compare("tls.http2", running.tls.http2, new.tls.http2)
        // Other nodes' entries matter too (gossip seeds, DNS answers, admin peers); a shield's listen address
        // only feeds this node's shield list, which is live.
        plan.compare("[[nodes]] (other nodes)", Self.otherNodes(running, except: name),
                     Self.otherNodes(new, except: name))
        self = plan
    }

    /// What node `name` runs after a reload from `old` to `new`: `old` with the live keys taken from `new`. The
    /// next reload is compared with this, so a change still waiting for a restart is reported again.
    public static func running(_ old: EdgeConfiguration, takingLiveKeysFrom new: EdgeConfiguration,
                               node name: String) -> EdgeConfiguration {
        guard let index = old.nodes.firstIndex(where: { $0.name == name }),
              let after = new.nodes.first(where: { $0.name == name }) else { return old }
        var result = old
        for key in liveNodeKeys { key.copy(&result.nodes[index], after) }
        if accessLogIsLive(old.nodes[index].logging.accessLog, after.logging.accessLog) {
            result.nodes[index].logging.accessLog = after.logging.accessLog
        }
        for key in liveClusterKeys { key.copy(&result, new) }
        // Shields' listen addresses (the live shield list) for shields listed in both.
        for other in result.nodes.indices where result.nodes[other].name != name {
            guard result.nodes[other].role == .shield,
                  let updated = new.nodes.first(where: { $0.name == result.nodes[other].name && $0.role == .shield })
            else { continue }
            result.nodes[other].listen = updated.listen
        }
        return result
    }

    private mutating func compare<Value: Equatable>(_ key: String, _ before: Value, _ after: Value) {
        if before != after { needsRestart.append(key) }
    }

    /// The access log moves to a new path (or between a file and standard output) live; turning it on or off
    /// needs a restart, since a node started without one has no writer to move.
    static func accessLogIsLive(_ before: LoggingSettings.AccessLog, _ after: LoggingSettings.AccessLog) -> Bool {
        before != .off && after != .off
    }

    /// Name and address of every shield `node` fetches through, in order: what its shield list is built from.
    static func shieldEndpoints(_ configuration: EdgeConfiguration, _ node: NodeConfiguration) -> [String] {
        configuration.shields(for: node).map { "\($0.name)=\($0.listen)" }
    }

    /// The other nodes' entries with what is live for this node (a shield's listen address) left out.
    static func otherNodes(_ configuration: EdgeConfiguration, except name: String) -> [NodeConfiguration] {
        configuration.nodes.filter { $0.name != name }.map { node in
            var node = node
            if node.role == .shield { node.listen = SocketAddressSpec(host: "", port: 0) }
            return node
        }
    }

    /// The one log line a reload writes, e.g. `reload: applied limits.max_request_body_bytes; changes to
    /// listen need a restart`.
    public var summary: String {
        if isEmpty { return "reload: no changes" }
        var parts: [String] = []
        if !live.isEmpty { parts.append("applied " + live.joined(separator: ", ")) }
        if !needsRestart.isEmpty { parts.append("changes to " + needsRestart.joined(separator: ", ") + " need a restart") }
        return "reload: " + parts.joined(separator: "; ")
    }
}

extension ReloadPlan {
    /// One key a running node takes on at once, as a key path into the configuration: the same path decides
    /// whether it changed and copies it into the running configuration, so the two can never disagree.
    struct LiveKey<Root> {
        let name: String
        let differs: (Root, Root) -> Bool
        let copy: (inout Root, Root) -> Void

        init<Value: Equatable>(_ name: String, _ path: WritableKeyPath<Root, Value>) {
            self.name = name
            differs = { $0[keyPath: path] != $1[keyPath: path] }
            copy = { $0[keyPath: path] = $1[keyPath: path] }
        }
    }

    /// The node's live keys, in the order a reload reports them: per-connection limits (new connections get
    /// them), the connection cap and drain time, log level and format, passive health, memory tier size
    /// (shrinking evicts), freshness defaults and the cache's name, the upstream plan (origins, shield names,
    /// failover, timeouts, Host override, forwarded headers, request budget, origin probe path) and compression.
    static var liveNodeKeys: [LiveKey<NodeConfiguration>] {
        [
            LiveKey("limits.max_header_bytes", \.limits.maxHeaderBytes),
            LiveKey("limits.max_header_count", \.limits.maxHeaderCount),
            LiveKey("limits.max_request_line_bytes", \.limits.maxRequestLineBytes),
            LiveKey("limits.max_request_body_bytes", \.limits.maxRequestBodyBytes),
            LiveKey("limits.header_timeout", \.limits.headerTimeout),
            LiveKey("limits.idle_timeout", \.limits.idleTimeout),
            LiveKey("limits.body_timeout", \.limits.bodyTimeout),
            LiveKey("limits.body_buffer_size", \.limits.bodyBufferSize),
            LiveKey("limits.max_connections", \.limits.maxConnections),
            LiveKey("limits.drain_timeout", \.limits.drainTimeout),
            LiveKey("logging.level", \.logging.level),
            LiveKey("logging.access_format", \.logging.accessFormat),
            LiveKey("cache.memory_size", \.cache.memorySize),
            LiveKey("cache.memory_max_object_size", \.cache.memoryMaxObjectSize),
            LiveKey("cache.heuristic_fraction", \.cache.heuristicFraction),
            LiveKey("cache.heuristic_max", \.cache.heuristicMax),
            LiveKey("cache.stale_if_error", \.cache.staleIfError),
            LiveKey("cache.stale_while_revalidate", \.cache.staleWhileRevalidate),
            LiveKey("cache.share_set_cookie", \.cache.shareSetCookie),
            LiveKey("cache.honour_cdn_cache_control", \.cache.honourCDNCacheControl),
            LiveKey("cache.cache_name", \.cache.cacheName),
            LiveKey("upstream.origins", \.upstream.origins),
            LiveKey("upstream.shields", \.upstream.shields),
            LiveKey("upstream.failover", \.upstream.failover),
            LiveKey("upstream.connect_timeout", \.upstream.connectTimeout),
            LiveKey("upstream.first_byte_timeout", \.upstream.firstByteTimeout),
            LiveKey("upstream.idle_timeout", \.upstream.idleTimeout),
            LiveKey("upstream.failure_threshold", \.upstream.failureThreshold),
            LiveKey("upstream.failure_backoff", \.upstream.failureBackoff),
            LiveKey("upstream.host_header", \.upstream.hostHeader),
            LiveKey("upstream.forward_headers", \.upstream.forwardHeaders),
            LiveKey("upstream.request_budget", \.upstream.requestBudget),
            LiveKey("upstream.health_check_path", \.upstream.healthCheckPath),
            LiveKey("compression", \.compression),
        ]
    }

    /// Live keys outside the node's entry: the origin list, the admin token and purge allow-list (checked per
    /// request), the certificates (new handshakes), the hosts the cluster serves, and the DNS zone data the
    /// responder answers from (routing inputs, geo table and load thresholds are built once, at start).
    static var liveClusterKeys: [LiveKey<EdgeConfiguration>] {
        [
            LiveKey("[[origins]]", \.origins),
            LiveKey("[admin] token", \.admin.token),
            LiveKey("[admin] purge_allow", \.admin.purgeAllow),
            LiveKey("[cluster] service_names", \.cluster.serviceNames),
            LiveKey("[cluster] unknown_hosts", \.cluster.unknownHosts),
            LiveKey("[cluster] strip_internal_headers", \.cluster.stripInternalHeaders),
            LiveKey("[dns] zone", \.dns.zone),
            LiveKey("[dns] ttl", \.dns.ttl),
            LiveKey("[dns] negative_ttl", \.dns.negativeTTL),
            LiveKey("[dns] record_ttl", \.dns.recordTTL),
            LiveKey("[dns] hostmaster", \.dns.hostmaster),
            LiveKey("[dns] name_servers", \.dns.nameServers),
            LiveKey("tls.certificates", \.tls.certificates),
        ]
    }
}
