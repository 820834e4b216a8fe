import EdgeConfig
import EdgeTLS
import EdgeUpstream
import Foundation
import Testing
@testable import EdgeRuntime

/// `https://` origins, end to end on loopback: an in-process TLS origin (nio-ssl server, certificates from the
/// demo CA) and an edge whose upstreams come from `edge.conf` text through the same mapping a start uses.
@Suite("Upstreams over HTTPS", .serialized)
struct UpstreamTLSTests {
    /// Two unrelated demo CAs, each with a certificate for `origin.test` and 127.0.0.1.
    struct Certificates {
        let directory: String
        let trusted: DemoCertificateAuthority.Paths
        let untrusted: DemoCertificateAuthority.Paths

        static func make() throws -> Certificates {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("edge-upstream-tls-\(UUID().uuidString)").path
            let trusted = try DemoCertificateAuthority.ensure(directory: directory + "/trusted",
                                                              dnsNames: ["origin.test"], ipAddresses: ["127.0.0.1"])
            let untrusted = try DemoCertificateAuthority.ensure(directory: directory + "/other",
                                                                dnsNames: ["origin.test"], ipAddresses: ["127.0.0.1"])
            return Certificates(directory: directory, trusted: trusted, untrusted: untrusted)
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// The upstreams node `edge-1` gets from `[[origins]]` entries written as `origins` (names origin-1, …).
    static func upstreams(_ origins: [String], directory: String) throws -> [Upstream] {
        let names = origins.indices.map { "\"origin-\($0 + 1)\"" }.joined(separator: ", ")
        var text = "[defaults.upstream]\norigins = [\(names)]\n"
        for (index, origin) in origins.enumerated() {
            text += "\n[[origins]]\nname = \"origin-\(index + 1)\"\n\(origin)\n"
        }
        text += """

            [[nodes]]
            name = "edge-1"
            listen = "127.0.0.1:8081"
            location = { latitude = 50.11, longitude = 8.68, region = "eu-central" }

            """
        let configuration = try ConfigLoader.parse(text: text, path: directory + "/edge.conf", baseDirectory: directory)
        return try NodeSettingsMapper.settings(for: try configuration.node(named: "edge-1"), in: configuration).origins
    }

    /// An edge in front of `upstreams`, its circuit opening after one failure.
    static func edge(_ upstreams: [Upstream]) async throws -> TestCluster {
        try await TestCluster.start(rules: "") { settings in
            settings.origins = upstreams
            settings.failureThreshold = 1
            settings.failureBackoffSeconds = 60
        }
    }

    @Test func missFetchesOverTLSThenHitsAndMissesShareOneConnection() async throws {
        let certificates = try Certificates.make()
        defer { certificates.remove() }
        let origin = try await TLSOrigin(presenting: certificates.trusted)
        let upstreams = try Self.upstreams(["url = \"https://127.0.0.1:\(origin.port)\"\n"
                                                + "tls_ca = \"trusted/ca.pem\"\ntls_server_name = \"origin.test\""],
                                           directory: certificates.directory)
        let cluster = try await Self.edge(upstreams)
        let miss = try await cluster.request("/a")
        #expect(miss.status == 200)
        #expect(miss.text == "tls origin /a")
        #expect(miss.cacheStatus.contains("fwd=miss"), "\(miss.cacheStatus)")
        let hit = try await cluster.request("/a")
        #expect(hit.status == 200 && hit.cacheStatus.contains("hit"), "\(hit.cacheStatus)")
        for path in ["/b", "/c", "/d"] {
            let response = try await cluster.request(path)
            #expect(response.status == 200 && response.text == "tls origin \(path)")
        }
        // Four misses, one keep-alive TLS connection and one handshake; SNI carried the configured name.
        #expect(origin.counts == TLSOrigin.Counts(accepted: 1, handshakes: 1, requests: 4))
        #expect(origin.serverNames == ["origin.test"])
        await cluster.shutdown()
        await origin.stop()
    }

    @Test func anIPAddressIsVerifiedAgainstTheCertificateWithoutSNI() async throws {
        let certificates = try Certificates.make()
        defer { certificates.remove() }
        let origin = try await TLSOrigin(presenting: certificates.trusted)
        let upstreams = try Self.upstreams(["url = \"https://127.0.0.1:\(origin.port)\"\ntls_ca = \"trusted/ca.pem\""],
                                           directory: certificates.directory)
        let cluster = try await Self.edge(upstreams)
        let response = try await cluster.request("/ip")
        #expect(response.status == 200 && response.text == "tls origin /ip")
        #expect(origin.serverNames == [nil])
        await cluster.shutdown()
        await origin.stop()
    }

    @Test func anUntrustedCertificateIs502AndOpensTheCircuit() async throws {
        let certificates = try Certificates.make()
        defer { certificates.remove() }
        let origin = try await TLSOrigin(presenting: certificates.untrusted)
        let upstreams = try Self.upstreams(["url = \"https://127.0.0.1:\(origin.port)\"\n"
                                                + "tls_ca = \"trusted/ca.pem\"\ntls_server_name = \"origin.test\""],
                                           directory: certificates.directory)
        let cluster = try await Self.edge(upstreams)
        let failed = try await cluster.request("/x")
        #expect(failed.status == 502)
        #expect(failed.cacheStatus.contains("upstream connect failed"), "\(failed.cacheStatus)")
        #expect(origin.counts.requests == 0)
        // The failure counted against the origin: its circuit is open, so the next request is answered at once.
        let next = try await cluster.request("/y")
        #expect(next.status == 503, "\(next.cacheStatus)")
        #expect(next.cacheStatus.contains("every upstream is down"), "\(next.cacheStatus)")
        #expect(origin.counts.accepted == 1)
        await cluster.shutdown()
        await origin.stop()
    }

    /// The certificate names `origin.test` only (no IP address: nio-ssl accepts a certificate naming the
    /// address it connected to whatever the verification name, see README).
    @Test func aNameTheCertificateDoesNotCoverFails() async throws {
        let certificates = try Certificates.make()
        defer { certificates.remove() }
        let dnsOnly = try DemoCertificateAuthority.ensure(directory: certificates.directory + "/dns-only",
                                                          dnsNames: ["origin.test"])
        let origin = try await TLSOrigin(presenting: dnsOnly)
        let upstreams = try Self.upstreams(["url = \"https://127.0.0.1:\(origin.port)\"\n"
                                                + "tls_ca = \"dns-only/ca.pem\"\ntls_server_name = \"other.test\""],
                                           directory: certificates.directory)
        let cluster = try await Self.edge(upstreams)
        let failed = try await cluster.request("/x")
        #expect(failed.status == 502, "\(failed.cacheStatus)")
        #expect(origin.counts.requests == 0)
        #expect(origin.serverNames == ["other.test"])
        // The control: the name the certificate does cover, on a second edge.
        let right = try Self.upstreams(["url = \"https://127.0.0.1:\(origin.port)\"\n"
                                            + "tls_ca = \"dns-only/ca.pem\"\ntls_server_name = \"origin.test\""],
                                       directory: certificates.directory)
        let control = try await Self.edge(right)
        let served = try await control.request("/x")
        #expect(served.status == 200, "\(served.cacheStatus)")
        await control.shutdown()
        await cluster.shutdown()
        await origin.stop()
    }

    @Test func aFailedHandshakeFailsOverToTheNextOrigin() async throws {
        let certificates = try Certificates.make()
        defer { certificates.remove() }
        let bad = try await TLSOrigin(presenting: certificates.untrusted)
        let good = try await TLSOrigin(presenting: certificates.trusted)
        let upstreams = try Self.upstreams(
            ["url = \"https://127.0.0.1:\(bad.port)\"\ntls_ca = \"trusted/ca.pem\"",
             "url = \"https://127.0.0.1:\(good.port)\"\ntls_ca = \"trusted/ca.pem\""],
            directory: certificates.directory)
        let cluster = try await Self.edge(upstreams)
        // Round-robin may start at either; every request is answered by the good one.
        for path in ["/1", "/2", "/3"] {
            let response = try await cluster.request(path)
            #expect(response.status == 200 && response.text == "tls origin \(path)", "\(response.cacheStatus)")
        }
        #expect(bad.counts.requests == 0)
        #expect(good.counts.requests == 3)
        await cluster.shutdown()
        await bad.stop()
        await good.stop()
    }

    @Test func aStoredObjectIsServedStaleWhenTheCertificateTurnsUntrusted() async throws {
        let certificates = try Certificates.make()
        defer { certificates.remove() }
        let origin = try await TLSOrigin(presenting: certificates.trusted, keepAlive: false) { _ in
            "public, max-age=1, stale-if-error=60"
        }
        let upstreams = try Self.upstreams(["url = \"https://127.0.0.1:\(origin.port)\"\n"
                                                + "tls_ca = \"trusted/ca.pem\"\ntls_server_name = \"origin.test\""],
                                           directory: certificates.directory)
        let cluster = try await Self.edge(upstreams)
        let fresh = try await cluster.request("/s")
        #expect(fresh.status == 200)
        try origin.present(certificates.untrusted)
        try await Task.sleep(for: .milliseconds(2100))
        let stale = try await cluster.request("/s")
        #expect(stale.status == 200 && stale.text == "tls origin /s", "\(stale.cacheStatus)")
        #expect(stale.cacheStatus.contains("upstream connect failed") || stale.cacheStatus.contains("stale"),
                "\(stale.cacheStatus)")
        #expect(origin.counts.requests == 1)
        await cluster.shutdown()
        await origin.stop()
    }

    @Test func checkConfigReportsCAFileProblemsAndTLSKeysOnPlainOrigins() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-uptls-cc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, url: String, extra: String) throws {
            try """
                [defaults.upstream]
                origins = ["origin-1"]

                [[origins]]
                name = "origin-1"
                url = "\(url)"
                \(extra)

                [[nodes]]
                name = "edge-1"
                listen = "127.0.0.1:8081"
                location = { latitude = 50.11, longitude = 8.68, region = "eu-central" }
                """.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try write("missing.conf", url: "https://origin.test", extra: "tls_ca = \"missing-ca.pem\"")
        let (status, output) = try EdgeProcess.run(["check-config", "missing.conf"], in: directory)
        #expect(status == 1)
        #expect(output.contains("missing.conf:7: origins[0].tls_ca: cannot read "), "\(output)")
        try write("plain.conf", url: "http://127.0.0.1:8080", extra: "tls_server_name = \"origin.test\"")
        let (plainStatus, plainOutput) = try EdgeProcess.run(["check-config", "plain.conf"], in: directory)
        #expect(plainStatus == 1)
        #expect(plainOutput.contains("plain.conf:7: origins[0].tls_server_name: tls_server_name only applies to an "
                                         + "https:// origin"), "\(plainOutput)")
        let ca = try DemoCertificateAuthority.ensure(directory: directory.appendingPathComponent("tls").path,
                                                     dnsNames: ["origin.test"])
        try write("good.conf", url: "https://origin.test", extra: "tls_ca = \"\(ca.caCertificate)\"")
        let (goodStatus, goodOutput) = try EdgeProcess.run(["check-config", "good.conf"], in: directory)
        #expect(goodStatus == 0, "\(goodOutput)")
    }
}

extension UpstreamTLSTests {
    /// An edge reaching its shield's HTTPS listener (`upstream.shield_tls`, `shield_ca`), both nodes in this
    /// process: the miss goes edge → shield over TLS → the shield's origin, and the shield's Cache-Status entry
    /// comes back.
    @Test func anEdgeReachesItsShieldOverTLS() async throws {
        let tls = try TLSFixture.make()
        defer { tls.remove() }
        let files = ["page.txt": "via the shield"]
        let rules = "match /page.txt\n  cache-control \"public, max-age=300\"\n"
        let shield = try await TestCluster.startHTTPS(sources: [tls.source()], files: files, rules: rules) { settings in
            settings.proxy.tier = .shield
            settings.proxy.cacheName = "shield-test"
        }
        let text = """
            [defaults.upstream]
            origins = ["origin-1"]
            shield_tls = true
            shield_ca = "\(tls.paths.caCertificate)"

            [[origins]]
            name = "origin-1"
            url = "http://127.0.0.1:\(shield.originPort)"

            [[tls.certificates]]
            names = ["www.cdn.test"]
            cert = "\(tls.paths.certificate)"
            key = "\(tls.paths.key)"

            [[nodes]]
            name = "shield-1"
            role = "shield"
            listen = "127.0.0.1:\(shield.edgePort)"
            https_listen = "127.0.0.1:\(shield.httpsPort)"
            location = { latitude = 50.11, longitude = 8.68, region = "eu-central" }

            [[nodes]]
            name = "edge-1"
            listen = "127.0.0.1:8081"
            location = { latitude = 50.11, longitude = 8.68, region = "eu-central" }

            """
        let configuration = try ConfigLoader.parse(text: text, path: tls.directory + "/edge.conf")
        let mapped = try NodeSettingsMapper.settings(for: try configuration.node(named: "edge-1"), in: configuration)
        #expect(mapped.shields.first?.port == shield.httpsPort)
        let edge = try await TestCluster.start(files: files, rules: rules) { settings in
            settings.shields = mapped.shields
        }
        let miss = try await edge.request("/page.txt", headers: [("host", "www.cdn.test")])
        #expect(miss.status == 200 && miss.text == "via the shield", "\(miss.cacheStatus)")
        #expect(miss.cacheStatus.hasPrefix("shield-test; fwd=miss"), "\(miss.cacheStatus)")
        let hit = try await edge.request("/page.txt", headers: [("host", "www.cdn.test")])
        #expect(hit.cacheStatus.contains("edge-test; hit"), "\(hit.cacheStatus)")
        await edge.shutdown()
        await shield.shutdown()
    }
}
