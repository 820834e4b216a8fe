import EdgeConfig
import Testing

/// The tier keys: which shields an edge uses, the failover policy, health checks and the request budget.
@Suite struct ShieldConfigTests {
    let minimal = ConfigFixtures.minimal
    let shieldNode = ConfigFixtures.node("shield-1", listen: "127.0.0.1:8090", extra: "role = \"shield\"")

    @Test func edgesUseEveryShieldByDefaultAndShieldsNone() throws {
        let config = try ConfigLoader.parse(text: minimal + shieldNode, path: "edge.conf")
        #expect(config.shields(for: try config.node(named: "edge-1")).map(\.name) == ["shield-1"])
        #expect(config.shields(for: try config.node(named: "shield-1")).isEmpty)
    }

    @Test func anEmptyListMeansOriginDirect() throws {
        let text = minimal + "[nodes.upstream]\nshields = []\n" + shieldNode
        let config = try ConfigLoader.parse(text: text, path: "edge.conf")
        #expect(config.shields(for: try config.node(named: "edge-1")).isEmpty)
    }

    @Test func tierKeysAreRead() throws {
        let text = minimal + """
            [nodes.upstream]
            failover = "origin"
            health_check_path = "/healthz"
            health_check_interval = "0s"
            health_check_timeout = "300ms"
            request_budget = "5s"
            """
        let upstream = try ConfigLoader.parse(text: text, path: "edge.conf").node(named: "edge-1").upstream
        #expect(upstream.failover == .origin)
        #expect(upstream.healthCheckPath == "/healthz")
        #expect(upstream.healthCheckInterval == .zero)
        #expect(upstream.healthCheckTimeout == .milliseconds(300))
        #expect(upstream.requestBudget == .seconds(5))
    }

    @Test func unknownShieldIsNamedWithASuggestion() throws {
        let text = minimal + "[nodes.upstream]\nshields = [\"sheild-1\"]\n" + shieldNode
        let error = try #require(ConfigFixtures.error(text))
        #expect(error.description == "edge.conf:13: nodes[0].upstream.shields[0]: no node named \"sheild-1\"; "
                    + "did you mean shield-1?")
    }

    @Test func aShieldListMayNameOnlyShields() throws {
        let text = minimal + "[nodes.upstream]\nshields = [\"edge-2\"]\n"
            + ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082")
        let error = try #require(ConfigFixtures.error(text))
        #expect(error.description.hasPrefix("edge.conf:13: nodes[0].upstream.shields[0]: expected a node with role "))
    }

    @Test func aShieldCannotHaveShields() throws {
        let text = minimal + shieldNode + "\n[nodes.upstream]\nshields = [\"shield-1\"]\n"
        let error = try #require(ConfigFixtures.error(text))
        #expect(error.description.contains("nodes[1].upstream.shields: expected no shields for node shield-1"))
    }

    @Test func badFailoverAndPathSayWhatWasExpected() throws {
        let failover = try #require(ConfigFixtures.error(minimal + "[nodes.upstream]\nfailover = \"retry\"\n"))
        #expect(failover.description == "edge.conf:13: nodes[0].upstream.failover: expected one of \"next-shield\", "
                    + "\"origin\", \"error\", got \"retry\"")
        let path = try #require(ConfigFixtures.error(minimal + "[nodes.upstream]\nhealth_check_path = \"healthz\"\n"))
        #expect(path.description.hasPrefix("edge.conf:13: nodes[0].upstream.health_check_path: expected an absolute path"))
    }
}
