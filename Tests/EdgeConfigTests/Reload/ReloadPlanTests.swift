import EdgeConfig
import Testing

/// What a SIGHUP reload applies live and what it reports as needing a restart.
@Suite struct ReloadPlanTests {
    /// `minimal` with `extra` in edge-1's entry, `nodes` (more `[[nodes]]` blocks) after it, then `tables`
    /// (sections such as `[admin]`), and `originURL` as origin-1's address.
    func load(_ extra: String, listen: String = "127.0.0.1:8081", nodes: String = "", tables: String = "",
              originURL: String = "http://127.0.0.1:8080") throws -> EdgeConfiguration {
        let text = ConfigFixtures.minimal.replacingOccurrences(of: "127.0.0.1:8081", with: listen)
            .replacingOccurrences(of: "http://127.0.0.1:8080", with: originURL) + extra + "\n" + nodes + "\n" + tables
        return try ConfigLoader.parse(text: text, path: "edge.conf")
    }

    @Test func identicalConfigurationsChangeNothing() throws {
        let plan = ReloadPlan(from: try load(""), to: try load(""), node: "edge-1")
        #expect(plan.isEmpty)
        #expect(plan.summary == "reload: no changes")
    }

    @Test func limitsAndLogLevelAreLive() throws {
        let old = try load("")
        let new = try load("""
            limits = { max_request_body_bytes = "1KiB", header_timeout = "2s" }
            logging = { level = "debug" }
            """)
        let plan = ReloadPlan(from: old, to: new, node: "edge-1")
        #expect(plan.live == ["limits.max_request_body_bytes", "limits.header_timeout", "logging.level"])
        #expect(plan.needsRestart.isEmpty)
        #expect(plan.summary == "reload: applied limits.max_request_body_bytes, limits.header_timeout, logging.level")
    }

    @Test func connectionCapAndDrainTimeoutAreLive() throws {
        let plan = ReloadPlan(from: try load(""), to: try load("limits = { max_connections = 10, drain_timeout = \"3s\" }"),
                              node: "edge-1")
        #expect(plan.live == ["limits.max_connections", "limits.drain_timeout"])
        #expect(plan.needsRestart.isEmpty)
    }

    @Test func upstreamTimeoutsHealthAndPlanAreLive() throws {
        let old = try load("")
        let new = try load("""
            upstream = { origins = ["origin-1"], failure_threshold = 9, failure_backoff = "2s", connect_timeout = "3s", \
            first_byte_timeout = "4s", idle_timeout = "5s", host_header = "www.example.com", request_budget = "9s", \
            failover = "origin", health_check_path = "/healthz" }
            """)
        let plan = ReloadPlan(from: old, to: new, node: "edge-1")
        #expect(plan.live == ["upstream.failover", "upstream.connect_timeout", "upstream.first_byte_timeout",
                              "upstream.idle_timeout", "upstream.failure_threshold", "upstream.failure_backoff",
                              "upstream.host_header", "upstream.request_budget", "upstream.health_check_path"])
        #expect(plan.needsRestart.isEmpty)
    }

    @Test func theConnectionPoolSizeAndProbeTimingNeedARestart() throws {
        let new = try load("""
            upstream = { origins = ["origin-1"], max_connections_per_host = 8, health_check_interval = "5s" }
            """)
        let plan = ReloadPlan(from: try load(""), to: new, node: "edge-1")
        #expect(plan.live.isEmpty)
        #expect(plan.needsRestart == ["upstream"])
    }

    @Test func anOriginsAddressIsLive() throws {
        let plan = ReloadPlan(from: try load(""), to: try load("", originURL: "http://127.0.0.2:8080"), node: "edge-1")
        #expect(plan.live == ["[[origins]]"])
        #expect(plan.needsRestart.isEmpty)
    }

    @Test func theNodesOriginListIsLive() throws {
        let new = try load("upstream = { origins = [\"http://127.0.0.3:9000\"] }")
        let plan = ReloadPlan(from: try load(""), to: new, node: "edge-1")
        #expect(plan.live == ["upstream.origins"])
        #expect(plan.needsRestart.isEmpty)
    }

    @Test func aShieldsNewAddressIsLiveForTheEdgeAndNothingElseOfThatEntry() throws {
        let shield = { (listen: String) in ConfigFixtures.node("shield-1", listen: listen, extra: "role = \"shield\"") }
        let old = try load("", nodes: shield("127.0.0.21:8080"))
        let moved = try load("", nodes: shield("127.0.0.22:8080"))
        let plan = ReloadPlan(from: old, to: moved, node: "edge-1")
        #expect(plan.live == [ReloadPlan.shieldListKey])
        #expect(plan.needsRestart.isEmpty)
        // The running configuration takes the new address, so the next reload of the same file is quiet.
        let running = ReloadPlan.running(old, takingLiveKeysFrom: moved, node: "edge-1")
        #expect(ReloadPlan(from: running, to: moved, node: "edge-1").isEmpty)
    }

    @Test func aNewNodeIsLiveForTheShieldListButGossipAndDNSNeedARestart() throws {
        let old = try load("")
        let new = try load("", nodes: ConfigFixtures.node("shield-1", listen: "127.0.0.21:8080",
                                                          extra: "role = \"shield\""))
        let plan = ReloadPlan(from: old, to: new, node: "edge-1")
        #expect(plan.live == [ReloadPlan.shieldListKey])
        #expect(plan.needsRestart == ["[[nodes]] (other nodes)"])
    }

    @Test func freshnessDefaultsAndCompressionAreLiveTheDiskIsNot() throws {
        let old = try load("")
        let new = try load("""
            cache = { memory_size = "32MiB", stale_if_error = "1m", stale_while_revalidate = "30s", \
            heuristic_fraction = 0.2, cache_name = "edge-one", disk_size = "2GiB" }
            compression = { enabled = false }
            """)
        let plan = ReloadPlan(from: old, to: new, node: "edge-1")
        #expect(plan.live == ["cache.memory_size", "cache.heuristic_fraction", "cache.stale_if_error",
                              "cache.stale_while_revalidate", "cache.cache_name", "compression"])
        #expect(plan.needsRestart == ["cache"])
    }

    @Test func theAdminTokenAndPurgeAllowListAreLive() throws {
        let old = try load("", tables: "[admin]\ntoken = \"0123456789abcdef0123\"\n")
        let new = try load("", tables: "[admin]\ntoken = \"fedcba9876543210fedc\"\npurge_allow = [\"10.0.0.0/8\"]\n")
        let plan = ReloadPlan(from: old, to: new, node: "edge-1")
        #expect(plan.live == ["[admin] token", "[admin] purge_allow"])
        #expect(plan.needsRestart.isEmpty)
    }

    @Test func thePurgeHorizonNeedsARestart() throws {
        let old = try load("", tables: "[admin]\ntoken = \"0123456789abcdef0123\"\n")
        let new = try load("", tables: "[admin]\ntoken = \"0123456789abcdef0123\"\npurge_horizon = \"2h\"\n")
        let plan = ReloadPlan(from: old, to: new, node: "edge-1")
        #expect(plan.live.isEmpty)
        #expect(plan.needsRestart == ["[admin]"])
    }

    @Test func theAccessLogMovesAndChangesFormatLiveButTurningItOnNeedsARestart() throws {
        let old = try load("logging = { access_log = \"/var/log/edge/a.log\" }")
        let moved = try load("logging = { access_log = \"/var/log/edge/b.log\", access_format = \"json\" }")
        let plan = ReloadPlan(from: old, to: moved, node: "edge-1")
        #expect(plan.live == ["logging.access_format", "logging.access_log"])
        #expect(plan.needsRestart.isEmpty)
        let off = try load("logging = { access_log = false }")
        let on = ReloadPlan(from: off, to: moved, node: "edge-1")
        #expect(on.live == ["logging.access_format"])
        #expect(on.needsRestart == ["logging.access_log"])
        let running = ReloadPlan.running(off, takingLiveKeysFrom: moved, node: "edge-1")
        #expect(running.nodes[0].logging.accessLog == .off)
    }

    @Test func dnsZoneDataAndServiceNamesAreLiveRoutingInputsAreNot() throws {
        let old = try load("", tables: "[cluster]\nservice_names = [\"www.cdn.test\"]\n[dns]\nzone = \"cdn.test\"\n")
        let new = try load("", tables: """
            [cluster]
            service_names = ["www.cdn.test", "img.cdn.test"]
            [dns]
            zone = "cdn.test"
            ttl = "10s"
            record_ttl = "2h"
            """)
        let plan = ReloadPlan(from: old, to: new, node: "edge-1")
        #expect(plan.live == ["[cluster] service_names", "[dns] ttl", "[dns] record_ttl"])
        #expect(plan.needsRestart.isEmpty)
        let routing = try load("", tables: "[cluster]\nservice_names = [\"www.cdn.test\"]\n[dns]\nzone = \"cdn.test\"\ntie_distance_km = 5\n")
        #expect(ReloadPlan(from: old, to: routing, node: "edge-1").needsRestart == ["[dns]"])
    }

    @Test func aListenAddressNeedsARestartAndIsNamed() throws {
        let old = try load("")
        let new = try load("limits = { max_connections = 10 }", listen: "127.0.0.1:9091")
        let plan = ReloadPlan(from: old, to: new, node: "edge-1")
        #expect(plan.live == ["limits.max_connections"])
        #expect(plan.needsRestart == ["listen"])
        #expect(plan.summary == "reload: applied limits.max_connections; changes to listen need a restart")
    }

    @Test func aNodeRemovedFromTheFileNeedsARestart() throws {
        let plan = ReloadPlan(from: try load(""), to: try load(""), node: "edge-9")
        #expect(plan.needsRestart == ["nodes (edge-9 is no longer listed)"])
    }

    @Test func theRunningConfigurationKeepsWhatNeedsARestart() throws {
        let old = try load("")
        let new = try load("""
            limits = { max_request_body_bytes = 100, max_connections = 7 }
            cache = { stale_if_error = "1m", disk_size = "2GiB" }
            """, listen: "127.0.0.1:9091")
        let running = ReloadPlan.running(old, takingLiveKeysFrom: new, node: "edge-1")
        #expect(running.nodes[0].limits.maxRequestBodyBytes == 100)
        #expect(running.nodes[0].limits.maxConnections == 7)
        #expect(running.nodes[0].cache.staleIfError == .seconds(60))
        #expect(running.nodes[0].cache.diskSize == old.nodes[0].cache.diskSize)
        #expect(running.nodes[0].listen == old.nodes[0].listen)
        let again = ReloadPlan(from: running, to: new, node: "edge-1")
        #expect(again.live.isEmpty)
        #expect(again.needsRestart == ["listen", "cache"])
    }
}
