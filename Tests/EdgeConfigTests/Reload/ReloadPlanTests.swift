import EdgeConfig
import Testing

/// What a SIGHUP reload applies live and what it reports as needing a restart.
@Suite struct ReloadPlanTests {
    func load(_ extra: String, listen: String = "127.0.0.1:8081") throws -> EdgeConfiguration {
        let text = ConfigFixtures.minimal.replacingOccurrences(of: "127.0.0.1:8081", with: listen) + extra
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

    @Test func failureThresholdAndBackoffAreLiveTheRestOfUpstreamIsNot() throws {
        let old = try load("")
        let new = try load("""
            upstream = { origins = ["origin-1"], failure_threshold = 9, failure_backoff = "2s", connect_timeout = "3s" }
            """)
        let plan = ReloadPlan(from: old, to: new, node: "edge-1")
        #expect(plan.live == ["upstream.failure_threshold", "upstream.failure_backoff"])
        #expect(plan.needsRestart == ["upstream"])
    }

    @Test func aListenAddressNeedsARestartAndIsNamed() throws {
        let old = try load("")
        let new = try load("limits = { max_connections = 10 }", listen: "127.0.0.1:9091")
        let plan = ReloadPlan(from: old, to: new, node: "edge-1")
        #expect(plan.live.isEmpty)
        #expect(plan.needsRestart == ["limits.max_connections", "listen"])
        #expect(plan.summary == "reload: changes to limits.max_connections, listen need a restart")
    }

    @Test func sectionsOutsideTheNodeAreReported() throws {
        let old = try load("")
        let new = try load("""
            cache = { memory_size = "32MiB", stale_if_error = "1m" }
            """ + ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082"))
        let plan = ReloadPlan(from: old, to: new, node: "edge-1")
        #expect(plan.live == ["cache.memory_size"])
        #expect(plan.needsRestart == ["cache", "[[nodes]] (other nodes)"])
    }

    @Test func aNodeRemovedFromTheFileNeedsARestart() throws {
        let plan = ReloadPlan(from: try load(""), to: try load(""), node: "edge-9")
        #expect(plan.needsRestart == ["nodes (edge-9 is no longer listed)"])
    }

    @Test func theRunningConfigurationKeepsWhatNeedsARestart() throws {
        let old = try load("")
        let new = try load("limits = { max_request_body_bytes = 100, max_connections = 7 }", listen: "127.0.0.1:9091")
        let running = ReloadPlan.running(old, takingLiveKeysFrom: new, node: "edge-1")
        #expect(running.nodes[0].limits.maxRequestBodyBytes == 100)
        #expect(running.nodes[0].limits.maxConnections == old.nodes[0].limits.maxConnections)
        #expect(running.nodes[0].listen == old.nodes[0].listen)
        let again = ReloadPlan(from: running, to: new, node: "edge-1")
        #expect(again.live.isEmpty)
        #expect(again.needsRestart == ["limits.max_connections", "listen"])
    }
}
