/// What reloading one node's configuration changes: the keys a running node takes on at once, and the ones
/// that only take effect after a restart.
///
/// Pure, so the decision is tested without a process: the node applies `live` and logs `needsRestart`, so a
/// change an operator made is never silently ignored. Keys are named as in `edge.conf` (a whole section when
/// none of it is live).
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

    /// Compares node `name` in `old` and `new`. A node missing from `new` is reported as needing a restart.
    public init(from old: EdgeConfiguration, to new: EdgeConfiguration, node name: String) {
        guard let before = old.nodes.first(where: { $0.name == name }),
              let after = new.nodes.first(where: { $0.name == name }) else {
            needsRestart = ["nodes (\(name) is no longer listed)"]
            return
        }
        var plan = ReloadPlan()
        // Live: the per-connection limits (new connections get them), the diagnostic log level, the passive
        // failure threshold and back-off, and the memory tier's size (shrinking evicts).
        plan.compare("limits.max_header_bytes", before.limits.maxHeaderBytes, after.limits.maxHeaderBytes, live: true)
        plan.compare("limits.max_header_count", before.limits.maxHeaderCount, after.limits.maxHeaderCount, live: true)
        plan.compare("limits.max_request_line_bytes", before.limits.maxRequestLineBytes,
                     after.limits.maxRequestLineBytes, live: true)
        plan.compare("limits.max_request_body_bytes", before.limits.maxRequestBodyBytes,
                     after.limits.maxRequestBodyBytes, live: true)
        plan.compare("limits.header_timeout", before.limits.headerTimeout, after.limits.headerTimeout, live: true)
        plan.compare("limits.idle_timeout", before.limits.idleTimeout, after.limits.idleTimeout, live: true)
        plan.compare("limits.body_timeout", before.limits.bodyTimeout, after.limits.bodyTimeout, live: true)
        plan.compare("limits.body_buffer_size", before.limits.bodyBufferSize, after.limits.bodyBufferSize, live: true)
        plan.compare("logging.level", before.logging.level, after.logging.level, live: true)
        plan.compare("upstream.failure_threshold", before.upstream.failureThreshold, after.upstream.failureThreshold,
                     live: true)
        plan.compare("upstream.failure_backoff", before.upstream.failureBackoff, after.upstream.failureBackoff,
                     live: true)
        plan.compare("cache.memory_size", before.cache.memorySize, after.cache.memorySize, live: true)
        plan.compare("cache.memory_max_object_size", before.cache.memoryMaxObjectSize,
                     after.cache.memoryMaxObjectSize, live: true)
        // Restart: everything else the node reads.
        plan.compare("limits.max_connections", before.limits.maxConnections, after.limits.maxConnections)
        plan.compare("limits.drain_timeout", before.limits.drainTimeout, after.limits.drainTimeout)
        plan.compare("logging.access_log", before.logging.accessLog, after.logging.accessLog)
        plan.compare("role", before.role, after.role)
        plan.compare("listen", before.listen, after.listen)
        plan.compare("metrics_listen", before.metricsListen, after.metricsListen)
        plan.compare("gossip_listen", before.gossipListen, after.gossipListen)
        plan.compare("dns_listen", before.dnsListen, after.dnsListen)
        plan.compare("admin_listen", before.adminListen, after.adminListen)
        plan.compare("public_address", before.publicAddress, after.publicAddress)
        plan.compare("location", before.location, after.location)
        plan.compare("gossip", before.gossip, after.gossip)
        var cacheBefore = before.cache
        cacheBefore.memorySize = after.cache.memorySize
        cacheBefore.memoryMaxObjectSize = after.cache.memoryMaxObjectSize
        plan.compare("cache", cacheBefore, after.cache)
        var upstreamBefore = before.upstream
        upstreamBefore.failureThreshold = after.upstream.failureThreshold
        upstreamBefore.failureBackoff = after.upstream.failureBackoff
        plan.compare("upstream", upstreamBefore, after.upstream)
        plan.compare("compression", before.compression, after.compression)
        plan.compare("[cluster]", old.cluster, new.cluster)
        plan.compare("[admin]", old.admin, new.admin)
        plan.compare("[dns]", old.dns, new.dns)
        // Certificates are live (new handshakes get them; open connections keep theirs); the HTTP/2 limits are
        // read when the listener starts.
        plan.compare("tls.certificates", old.tls.certificates, new.tls.certificates, live: true)
        plan.compare("tls.http2", old.tls.http2, new.tls.http2)
        plan.compare("https_listen", before.httpsListen, after.httpsListen)
        plan.compare("[[origins]]", old.origins, new.origins)
        // Other nodes' entries matter too (shields, gossip seeds, DNS answers).
        plan.compare("[[nodes]] (other nodes)", old.nodes.filter { $0.name != name },
                     new.nodes.filter { $0.name != name })
        self = plan
    }

    /// What node `name` runs after a reload from `old` to `new`: `old` with the live keys taken from `new`. The
    /// next reload is compared with this, so a change still waiting for a restart is reported again.
    public static func running(_ old: EdgeConfiguration, takingLiveKeysFrom new: EdgeConfiguration,
                               node name: String) -> EdgeConfiguration {
        guard let index = old.nodes.firstIndex(where: { $0.name == name }),
              let after = new.nodes.first(where: { $0.name == name }) else { return old }
        var result = old
        result.tls.certificates = new.tls.certificates
        var limits = after.limits
        limits.maxConnections = old.nodes[index].limits.maxConnections
        limits.drainTimeout = old.nodes[index].limits.drainTimeout
        result.nodes[index].limits = limits
        result.nodes[index].logging.level = after.logging.level
        result.nodes[index].upstream.failureThreshold = after.upstream.failureThreshold
        result.nodes[index].upstream.failureBackoff = after.upstream.failureBackoff
        result.nodes[index].cache.memorySize = after.cache.memorySize
        result.nodes[index].cache.memoryMaxObjectSize = after.cache.memoryMaxObjectSize
        return result
    }

    private mutating func compare<Value: Equatable>(_ key: String, _ before: Value, _ after: Value,
                                                    live: Bool = false) {
        guard before != after else { return }
        if live { self.live.append(key) } else { needsRestart.append(key) }
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
