import EdgeConfig
import Foundation
import Testing

/// `[defaults]` → node inheritance, built-in defaults, and paths resolved against the file's directory.
@Suite struct InheritanceTests {
    static let layered = """
        [defaults.cache]
        memory_size = "128MiB"
        stale_if_error = "5m"
        disk_path = "/srv/cache/{node}"

        [defaults.upstream]
        origins = ["origin-1"]
        connect_timeout = "500ms"

        [defaults.logging]
        level = "warning"
        access_log = "logs/access.log"

        [[origins]]
        name = "origin-1"
        url = "http://127.0.0.1:8080"
        root = "../site"

        [[origins]]
        name = "origin-2"
        url = "https://origin.example.com"

        [[nodes]]
        name = "edge-1"
        listen = "127.0.0.1:8081"
        location = { latitude = 50.11, longitude = 8.68, region = "eu-central" }
        [nodes.cache]
        memory_size = "64MiB"
        cache_name = "fra-1"

        [[nodes]]
        name = "edge-2"
        role = "shield"
        listen = "[::1]:8082"
        location = { latitude = 51, longitude = 0, region = "eu-west" }
        [nodes.cache]
        disk_path = "cache-of-{node}"
        disk_size = 0
        [nodes.upstream]
        origins = ["origin-2", "http://127.0.0.1:9000"]
        [nodes.logging]
        access_log = false
        [nodes.limits]
        max_request_body_bytes = 0
        idle_timeout = 5
        body_timeout = "3s"
        body_buffer_size = "64KiB"
        max_connections = 20
        """

    let config: EdgeConfiguration

    init() throws {
        config = try ConfigLoader.parse(text: Self.layered, path: "/etc/edge/edge.conf")
    }

    @Test func nodeValuesOverrideDefaultsKeyByKey() throws {
        let edge1 = try config.node(named: "edge-1")
        #expect(edge1.cache.memorySize == 64 << 20)              // node
        #expect(edge1.cache.staleIfError == .seconds(300))       // [defaults]
        #expect(edge1.cache.memoryMaxObjectSize == 16 << 20)     // built-in
        #expect(edge1.cache.cacheName == "fra-1")
        #expect(edge1.upstream.connectTimeout == .milliseconds(500))
        #expect(edge1.upstream.firstByteTimeout == .seconds(10))
        #expect(edge1.logging.level == .warning)

        let edge2 = try config.node(named: "edge-2")
        #expect(edge2.role == .shield)
        #expect(edge2.listen == SocketAddressSpec(host: "::1", port: 8082))
        #expect(edge2.cache.memorySize == 128 << 20)
        #expect(edge2.cache.cacheName == "edge-2")
        #expect(edge2.cache.diskSize == 0)
        #expect(edge2.upstream.origins == ["origin-2", "http://127.0.0.1:9000"])
        #expect(edge2.upstream.connectTimeout == .milliseconds(500))
        #expect(edge2.logging.level == .warning)
        #expect(edge2.logging.accessLog == .off)
        #expect(edge2.limits.maxRequestBodyBytes == 0)
        #expect(edge2.limits.idleTimeout == .seconds(5))
        #expect(edge2.limits.headerTimeout == .seconds(10))
        #expect(edge2.limits.bodyTimeout == .seconds(3))
        #expect(edge2.limits.bodyBufferSize == 64 << 10)
        #expect(edge2.limits.maxConnections == 20)
        #expect(try config.node(named: "edge-1").limits.maxConnections == nil)
    }

    @Test func defaultsAreKeptForDisplay() {
        #expect(config.defaults.cache.memorySize == 128 << 20)
        #expect(config.defaults.cache.diskPath == "/srv/cache/{node}")
        #expect(config.defaults.upstream.origins == ["origin-1"])
    }

    @Test func pathsResolveAgainstTheConfigDirectory() throws {
        #expect(try config.node(named: "edge-1").cache.diskPath == "/srv/cache/edge-1")
        #expect(try config.node(named: "edge-2").cache.diskPath == "/etc/edge/cache-of-edge-2")
        #expect(try config.node(named: "edge-1").logging.accessLog == .file("/etc/edge/logs/access.log"))
        #expect(config.origin(named: "origin-1")?.root == "/etc/site")
        #expect(config.baseDirectory == "/etc/edge")
    }

    @Test func devOriginListenIsDerivedFromItsURL() {
        #expect(config.origin(named: "origin-1")?.listen == SocketAddressSpec(host: "127.0.0.1", port: 8080))
        #expect(config.origin(named: "origin-1")?.isDevOrigin == true)
        #expect(config.origin(named: "origin-2")?.listen == nil)
        #expect(config.origin(named: "origin-2")?.isDevOrigin == false)
    }

    @Test func upstreamEndpointsResolveNamesAndURLs() throws {
        let edge2 = try config.node(named: "edge-2")
        #expect(config.upstreamEndpoints(for: edge2) == [
            OriginEndpoint(scheme: .https, host: "origin.example.com", port: 443),
            OriginEndpoint(scheme: .http, host: "127.0.0.1", port: 9000),
        ])
    }

    @Test func builtInDefaultsMatchTheBrief() {
        let cache = CacheSettings()
        #expect(cache.memorySize == 256 << 20)
        #expect(cache.heuristicFraction == 0.1)
        #expect(cache.heuristicMax == .seconds(86_400))
        #expect(cache.shareSetCookie == false)
        #expect(cache.honourCDNCacheControl == true)
        let upstream = UpstreamSettings()
        #expect(upstream.connectTimeout == .seconds(2))
        #expect(upstream.firstByteTimeout == .seconds(10))
        #expect(upstream.idleTimeout == .seconds(30))
        #expect(upstream.maxConnectionsPerHost == 64)
        #expect(upstream.failureThreshold == 3)
        #expect(upstream.failureBackoff == .seconds(10))
        #expect(upstream.hostHeader == nil)
        let limits = ServerLimits()
        #expect(limits.maxHeaderBytes == 16 << 10)
        #expect(limits.maxHeaderCount == 100)
        #expect(limits.maxRequestLineBytes == 8 << 10)
        #expect(limits.headerTimeout == .seconds(10))
        #expect(limits.idleTimeout == .seconds(60))
        #expect(limits.maxRequestBodyBytes == 10 << 20)
        #expect(limits.drainTimeout == .seconds(15))
        #expect(limits.bodyTimeout == .seconds(20))
        #expect(limits.bodyBufferSize == 16 << 10)
        #expect(limits.maxConnections == nil)
        #expect(LoggingSettings().level == .info)
        #expect(LoggingSettings().accessLog == .stdout)
    }

    @Test func nodesMayBeWrittenAsAnInlineArrayWithDirectURLs() throws {
        let text = """
            nodes = [
              { name = "a", listen = "127.0.0.1:8081", location = { latitude = 0, longitude = 0, region = "x" }, \
            upstream = { origins = ["http://127.0.0.1:8080"], host_header = "www.cdn.test" } },
            ]
            """
        let config = try ConfigLoader.parse(text: text, path: "edge.conf")
        #expect(config.origins.isEmpty)
        #expect(config.nodes.first?.upstream.hostHeader == "www.cdn.test")
        #expect(config.nodes.first?.cache.diskPath == "var/cache/a")  // relative file name → relative paths
        #expect(config.topologyDescription().contains("(none; nodes use upstream URLs directly)"))
    }

    @Test func loadResolvesAgainstTheFilesDirectory() throws {
        let directory = try ConfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/edge.conf"
        try ConfigFixtures.minimal.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: path)
        #expect(config.sourcePath == path)
        #expect(config.nodes.first?.cache.diskPath == directory + "/var/cache/edge-1")
    }

    @Test func accessLogForms() throws {
        for (value, expected) in [("true", LoggingSettings.AccessLog.stdout), ("false", .off),
                                  ("\"stdout\"", .stdout), ("\"stderr\"", .stderr),
                                  ("\"/var/log/edge.log\"", .file("/var/log/edge.log"))] {
            let text = "[defaults.logging]\naccess_log = \(value)\n" + ConfigFixtures.minimal
            let config = try ConfigLoader.parse(text: text, path: "edge.conf")
            #expect(config.nodes.first?.logging.accessLog == expected)
        }
        let error = ConfigFixtures.error("[defaults.logging]\naccess_log = 1\n" + ConfigFixtures.minimal)
        #expect(error?.description == "edge.conf:2: defaults.logging.access_log: expected true, false, \"stdout\", "
                    + "\"stderr\" or a file path, got 1")
    }
}
