import EdgeConfig
import Testing

/// The checked-in edge.conf is the operator's first documentation: it must load and describe the planned topology.
@Suite struct ExampleConfigTests {
    let config: EdgeConfiguration
    let directory: String

    init() throws {
        let path = ConfigFixtures.exampleConfigPath
        config = try ConfigLoader.load(path: path)
        directory = ConfigPaths.directory(of: path)
    }

    @Test func clusterIdentity() {
        #expect(config.cluster.name == "edge-local")
        #expect(config.cluster.serviceNames == ["www.cdn.test"])
    }

    @Test func nodesFollowThePortPlan() throws {
        #expect(config.nodes.map(\.name) == ["edge-1", "edge-2", "edge-3", "shield-1", "shield-2"])
        #expect(config.nodes.map(\.role) == [.edge, .edge, .edge, .shield, .shield])
        let edge = try config.node(named: "edge-1")
        #expect(config.shields(for: edge).map(\.name) == ["shield-1", "shield-2"])
        #expect(config.shields(for: try config.node(named: "shield-1")).isEmpty)
        #expect(edge.upstream.failover == .nextShield)
        #expect(edge.upstream.healthCheckPath == "/__origin/health")
        // Every node on its own loopback address (so DNS answers tell them apart), every role on one port.
        #expect(config.nodes.map(\.listen.description)
                    == ["127.0.0.11:8080", "127.0.0.12:8080", "127.0.0.13:8080", "127.0.0.21:8080", "127.0.0.22:8080"])
        #expect(config.nodes.map(\.answerAddress) == ["127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.21", "127.0.0.22"])
        for node in config.nodes {
            #expect(node.metricsListen == SocketAddressSpec(host: node.listen.host, port: 9090))
            #expect(node.gossipListen == SocketAddressSpec(host: node.listen.host, port: 7946))
            #expect(node.adminListen == SocketAddressSpec(host: node.listen.host, port: 9180))
        }
        #expect(config.nodes.compactMap { $0.dnsListen?.description } == ["127.0.0.11:5353", "127.0.0.21:5353"])
        #expect(config.dns.nameServers.map(\.address) == ["127.0.0.11", "127.0.0.21"])
        let edge1 = try config.node(named: "edge-1")
        #expect(edge1.location == .init(latitude: 50.11, longitude: 8.68, region: "eu-central"))
        let edge2 = try config.node(named: "edge-2")
        #expect(edge2.location == .init(latitude: 51.51, longitude: -0.13, region: "eu-west"))
        let edge3 = try config.node(named: "edge-3")
        #expect(edge3.location == .init(latitude: 40.71, longitude: -74.01, region: "us-east"))
        let shield = try config.node(named: "shield-1")
        #expect(shield.location.region == "eu-west")
    }

    @Test func devOriginIsOnItsOwnAddressWithPathsUnderTheRepository() throws {
        #expect(config.origins.count == 1)
        let origin = try #require(config.origin(named: "origin-1"))
        #expect(origin.url == "http://127.0.0.31:8080")
        #expect(origin.endpoint == OriginEndpoint(scheme: .http, host: "127.0.0.31", port: 8080))
        #expect(origin.listen == SocketAddressSpec(host: "127.0.0.31", port: 8080))
        #expect(origin.root == directory + "/origin/site")
        #expect(origin.rules == directory + "/origin/rules.conf")
    }

    @Test func everyNodeEndsAtOrigin1() {
        for node in config.nodes {
            #expect(node.upstream.origins == ["origin-1"])
            #expect(config.upstreamEndpoints(for: node) == [OriginEndpoint(scheme: .http, host: "127.0.0.31", port: 8080)])
        }
    }

    @Test func cacheSettingsComeFromDefaultsWithTheShieldsOverrides() throws {
        let edge1 = try config.node(named: "edge-1")
        #expect(edge1.cache.memorySize == 256 << 20)
        #expect(edge1.cache.memoryMaxObjectSize == 16 << 20)
        #expect(edge1.cache.diskSize == 1 << 30)
        #expect(edge1.cache.diskPath == directory + "/var/cache/edge-1")
        #expect(edge1.cache.cacheName == "edge-1")
        #expect(edge1.cache.staleIfError == .seconds(600))
        #expect(edge1.cache.heuristicMax == .seconds(86_400))

        let shield = try config.node(named: "shield-1")
        #expect(shield.cache.memorySize == 512 << 20)
        #expect(shield.cache.diskSize == 4 << 30)
        #expect(shield.cache.diskPath == directory + "/var/cache/shield-1")
        #expect(shield.cache.memoryMaxObjectSize == 16 << 20)  // inherited
        #expect(shield.cache.staleIfError == .seconds(600))     // inherited
    }

    @Test func limitsAndLoggingMatchTheDocumentedDefaults() throws {
        let node = try config.node(named: "edge-3")
        #expect(node.limits == ServerLimits())
        #expect(node.logging == LoggingSettings())
        var upstream = UpstreamSettings()
        upstream.origins = ["origin-1"]
        upstream.healthCheckPath = "/__origin/health"
        #expect(node.upstream == upstream)
    }

    @Test func topologyDescriptionListsNodesAndOrigins() {
        let text = config.topologyDescription()
        #expect(text.contains("cluster edge-local, serving www.cdn.test"))
        #expect(text.contains("nodes (5):"))
        #expect(text.contains("origins (1):"))
        let edgeLine = text.split(separator: "\n").first { $0.contains("edge-1 ") }
        #expect(edgeLine?.contains("127.0.0.11:8080, https 127.0.0.11:8443") == true)
        #expect(edgeLine?.contains("eu-central (50.11, 8.68)") == true)
        #expect(edgeLine?.contains("256 MiB (16 MiB)") == true)
        #expect(edgeLine?.contains("1 GiB in var/cache/edge-1") == true)
        #expect(edgeLine?.contains("shields shield-1, shield-2 (failover next-shield), then origin-1 (http://127.0.0.31:8080)") == true)
        let shieldLine = text.split(separator: "\n").first { $0.hasPrefix("  shield-1") }
        #expect(shieldLine?.contains("shield") == true)
        #expect(shieldLine?.contains("512 MiB") == true)
        #expect(shieldLine?.contains("52.37, 4.90") == true)
        #expect(text.contains("listen 127.0.0.31:8080, root origin/site, rules origin/rules.conf"))
    }

    @Test func everyKeyInTheExampleIsCommented() throws {
        // The file documents itself: each `key = value` line follows a comment line or carries one.
        let text = try String(contentsOfFile: ConfigFixtures.exampleConfigPath, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var undocumented: [String] = []
        var inNodes = false
        for (index, line) in lines.enumerated() {
            if line.hasPrefix("[[nodes]]") { inNodes = true }
            // Node entries are documented once, in the block comment above the first of them.
            guard !inNodes, line.contains(" = "), !line.hasPrefix("#") else { continue }
            let previous = index > 0 ? lines[index - 1] : ""
            if !previous.hasPrefix("#") && !line.contains("#") { undocumented.append(line) }
        }
        #expect(undocumented.isEmpty, "keys without a comment: \(undocumented)")
    }
}
