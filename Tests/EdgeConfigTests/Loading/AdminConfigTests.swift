import EdgeConfig
import Testing

/// `[admin]` and `admin_listen`: the admin API's token, PURGE allow list, purge memory and per-node listener.
@Suite struct AdminConfigTests {
    let minimal = ConfigFixtures.minimal

    private func load(_ text: String) throws -> EdgeConfiguration {
        try ConfigLoader.parse(text: text, path: "edge.conf")
    }

    @Test func defaultsWhenNothingIsSet() throws {
        let config = try load(minimal)
        #expect(config.admin == AdminSettings())
        #expect(config.admin.token == nil)
        #expect(config.admin.purgeHorizon == .seconds(86_400))
        #expect(config.admin.purgeLedgerSize == 10_000)
        #expect(config.admin.purgeAllow.map(\.description) == ["127.0.0.0/8", "::1/128"])
        #expect(config.admin.allowsPurge(from: "127.0.0.1"))
        // All of loopback: the demo cluster's nodes each have their own 127.x address.
        #expect(config.admin.allowsPurge(from: "127.0.0.13"))
        #expect(config.admin.allowsPurge(from: "127.255.255.254"))
        #expect(config.admin.allowsPurge(from: "::ffff:127.0.0.21"))
        #expect(config.admin.allowsPurge(from: "::1"))
        #expect(!config.admin.allowsPurge(from: "128.0.0.1"))
        #expect(!config.admin.allowsPurge(from: "10.0.0.1"))
        #expect(config.nodes[0].adminListen == nil)
    }

    @Test func everyKeyIsRead() throws {
        let text = """
            [admin]
            token = "0123456789abcdef-admin"
            purge_allow = ["127.0.0.1/32", "10.0.0.0/8", "::1"]
            purge_horizon = "2d"
            purge_ledger_size = 5000

            """ + minimal + "admin_listen = \"127.0.0.1:9181\"\n"
        let config = try load(text)
        #expect(config.admin.token == "0123456789abcdef-admin")
        #expect(config.admin.purgeAllow.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"])
        #expect(config.admin.purgeHorizon == .seconds(172_800))
        #expect(config.admin.purgeLedgerSize == 5000)
        #expect(config.admin.allowsPurge(from: "10.200.3.4"))
        #expect(config.admin.allowsPurge(from: "::ffff:10.1.1.1"))
        #expect(!config.admin.allowsPurge(from: "192.168.1.1"))
        #expect(config.nodes[0].adminListen == SocketAddressSpec(host: "127.0.0.1", port: 9181))
    }

    @Test func theEnvironmentTokenWins() throws {
        var settings = AdminSettings()
        #expect(settings.resolvedToken(environment: [:]) == nil)
        settings.token = "from-the-file-0123456"
        #expect(settings.resolvedToken(environment: [:]) == "from-the-file-0123456")
        #expect(settings.resolvedToken(environment: ["EDGE_ADMIN_TOKEN": ""]) == "from-the-file-0123456")
        #expect(settings.resolvedToken(environment: ["EDGE_ADMIN_TOKEN": "from-the-env-0123456"]) == "from-the-env-0123456")
    }

    @Test func errorsNameFileLineAndKey() {
        func message(_ text: String) -> String? { ConfigFixtures.error(text)?.description }
        #expect(message("[admin]\ntoken = \"short\"\n" + minimal)
                    == "edge.conf:2: admin.token: expected a secret of at least 16 characters shared by every node, "
                        + "without spaces; got one of 5 characters")
        #expect(message("[admin]\ntoken = 42\n" + minimal)
                    == "edge.conf:2: admin.token: expected a secret of at least 16 characters shared by every node, got 42")
        #expect(message("[admin]\npurge_allow = [\"10.1.2.3/8\"]\n" + minimal)
                    == "edge.conf:2: admin.purge_allow[0]: \"10.1.2.3/8\" has bits set past its prefix; "
                        + "did you mean \"10.0.0.0/8\"?")
        #expect(message("[admin]\npurge_allow = [\"127.0.0.1\", \"localhost\"]\n" + minimal)
                    == "edge.conf:2: admin.purge_allow[1]: expected an IP address or CIDR range such as "
                        + "\"10.0.0.0/8\", got \"localhost\"")
        #expect(message("[admin]\npurge_horizon = \"1s\"\n" + minimal)?
                    .hasPrefix("edge.conf:2: admin.purge_horizon: expected a duration") == true)
        #expect(message("[admin]\ntokn = \"0123456789abcdef\"\n" + minimal)
                    == "edge.conf:2: admin.tokn: unknown key; did you mean token?")
        #expect(message(minimal + "admin_listen = \"example.com:9181\"\n")
                    == "edge.conf:12: nodes[0].admin_listen: expected \"host:port\" whose host is a literal IP address "
                        + "or localhost, got \"example.com:9181\"")
    }

    @Test func theTokenIsNeverEchoedInErrors() {
        let error = ConfigFixtures.error("[admin]\ntoken = \"secret with spaces inside\"\n" + minimal)
        #expect(error != nil)
        #expect(error?.description.contains("with spaces inside") == false)
    }

    @Test func adminListenMustNotClashWithOtherListeners() {
        let text = minimal + "admin_listen = \"127.0.0.1:8081\"\n"
        #expect(ConfigFixtures.error(text)?.description
                    == "edge.conf:12: nodes[0].admin_listen: address 127.0.0.1:8081 is already used by node edge-1 (line 10)")
        let twoNodes = minimal + "admin_listen = \"127.0.0.1:9181\"\n"
            + ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082", extra: "admin_listen = \"127.0.0.1:9181\"")
        #expect(ConfigFixtures.error(twoNodes)?.description
                    == "edge.conf:18: nodes[1].admin_listen: address 127.0.0.1:9181 is already used by node edge-1 (admin) (line 12)")
    }

    @Test func theExampleGivesEveryNodeAnAdminListener() throws {
        let config = try ConfigLoader.load(path: ConfigFixtures.exampleConfigPath)
        #expect(config.admin.token == "local-admin-token-change-me")
        #expect(config.admin.purgeAllow.map(\.description) == ["127.0.0.0/8", "::1/128"])
        #expect(config.admin.allowsPurge(from: "127.0.0.13"))
        #expect(config.admin.purgeHorizon == .seconds(86_400))
        // Each node's admin API is on its own loopback address (the node's own host), on one shared port.
        for node in config.nodes {
            let admin = try #require(node.adminListen, "\(node.name) has no admin_listen")
            #expect(admin.host == node.listen.host)
            #expect(admin.port == 9180)
        }
        #expect(Set(config.nodes.compactMap { $0.adminListen?.host }).count == config.nodes.count)
    }
}
