import EdgeConfig
import Testing

/// The keys of what a node accepts and forwards: `[cluster] unknown_hosts` and `strip_internal_headers`,
/// `upstream.forward_headers`.
@Suite struct ForwardingConfigTests {
    let minimal = ConfigFixtures.minimal

    @Test func defaultsRejectUnknownHostsStripInternalFieldsAndKeepNoOverrideHeaders() throws {
        let config = try ConfigLoader.parse(text: minimal, path: "edge.conf")
        #expect(config.cluster.unknownHosts == .reject)
        #expect(config.cluster.stripInternalHeaders)
        #expect(try config.node(named: "edge-1").upstream.forwardHeaders.isEmpty)
    }

    @Test func theKeysAreRead() throws {
        let text = """
            [cluster]
            service_names = ["www.cdn.test"]
            unknown_hosts = "pass"
            strip_internal_headers = false

            """ + minimal + """
            [nodes.upstream]
            forward_headers = ["X-Forwarded-Host"]
            """
        let config = try ConfigLoader.parse(text: text, path: "edge.conf")
        #expect(config.cluster.unknownHosts == .pass)
        #expect(!config.cluster.stripInternalHeaders)
        #expect(try config.node(named: "edge-1").upstream.forwardHeaders == ["x-forwarded-host"])
    }

    @Test func badValuesNameFileLineAndKey() throws {
        let policy = try #require(ConfigFixtures.error("[cluster]\nunknown_hosts = \"drop\"\n" + minimal))
        #expect(policy.description == "edge.conf:2: cluster.unknown_hosts: expected \"reject\" or \"pass\", got \"drop\"")
        let header = try #require(ConfigFixtures.error(minimal + "[nodes.upstream]\nforward_headers = [\"x host\"]\n"))
        #expect(header.description
                    == "edge.conf:13: nodes[0].upstream.forward_headers[0]: expected a header name such as "
                    + "\"x-forwarded-host\", got \"x host\"")
    }
}
