import EdgeConfig
import EdgeTLS
import EdgeUpstream
import Foundation
import Testing
@testable import EdgeRuntime

/// `https://` origins from `edge.conf` to the upstreams a node uses: one TLS context each, the verification
/// name from `tls_server_name`, and CA file problems as `file:line: key: message` for check-config and start.
@Suite("Upstream TLS mapping")
struct UpstreamTLSMappingTests {
    /// A scratch directory with a demo CA (`ca.pem`) and `edge.conf` holding `origins` (line 4 onwards).
    private func configuration(origins: String, upstream: String = "[\"origin-tls\"]") throws
        -> (EdgeConfiguration, String)
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-uptls-\(UUID().uuidString)").path
        let paths = try DemoCertificateAuthority.ensure(directory: directory, dnsNames: ["origin.test"])
        try FileManager.default.copyItem(atPath: paths.caCertificate, toPath: directory + "/trusted-ca.pem")
        try "not a certificate\n".write(toFile: directory + "/empty.pem", atomically: true, encoding: .utf8)
        let text = """
            [defaults.upstream]
            origins = \(upstream)

            \(origins)

            [[nodes]]
            name = "edge-1"
            listen = "127.0.0.1:8081"
            location = { latitude = 50.11, longitude = 8.68, region = "eu-central" }

            """
        let path = directory + "/edge.conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (try ConfigLoader.load(path: path), directory)
    }

    private func origin(url: String, _ extra: String) -> String {
        "[[origins]]\nname = \"origin-tls\"\nurl = \"\(url)\"\n\(extra)"
    }

    @Test func httpsOriginGetsItsContextAndVerificationName() throws {
        let (configuration, directory) = try configuration(origins: origin(
            url: "https://127.0.0.1:9443", "tls_ca = \"trusted-ca.pem\"\ntls_server_name = \"origin.test\""))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(configuration.upstreamTLSProblems.isEmpty)
        let settings = try NodeSettingsMapper.settings(for: try configuration.node(named: "edge-1"), in: configuration)
        let upstream = try #require(settings.origins.first)
        #expect(upstream.scheme == "https" && upstream.host == "127.0.0.1" && upstream.port == 9443)
        let tls = try #require(upstream.tls)
        #expect(tls.serverName == "origin.test")
        #expect(UpstreamTLS.verificationName(host: upstream.host, serverName: tls.serverName) == "origin.test")
    }

    @Test func directURLsTrustTheSystemStoreAndPlainOnesHaveNoTLS() throws {
        let (configuration, directory) = try configuration(
            origins: origin(url: "http://127.0.0.1:8080", ""),
            upstream: "[\"https://origin.example.com\", \"origin-tls\"]")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings = try NodeSettingsMapper.settings(for: try configuration.node(named: "edge-1"), in: configuration)
        #expect(settings.origins.map(\.name) == ["https://origin.example.com", "origin-tls"])
        #expect(settings.origins.map(\.port) == [443, 8080])
        #expect(settings.origins[0].tls != nil && settings.origins[0].tls?.serverName == nil)
        #expect(settings.origins[1].tls == nil)
    }

    @Test(arguments: [
        ("missing.pem", "cannot read", ConfigError.Kind.unreadable),
        ("empty.pem", "holds no PEM certificate", .invalidValue),
    ])
    func caFileProblemsNameTheKey(file: String, message: String, kind: ConfigError.Kind) throws {
        let (configuration, directory) = try configuration(origins: origin(
            url: "https://origin.test", "tls_ca = \"\(file)\""))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let problems = configuration.upstreamTLSProblems
        #expect(problems.count == 1)
        let problem = try #require(problems.first)
        #expect(problem.kind == kind)
        #expect(problem.description.hasPrefix("\(directory)/edge.conf:7: origins[0].tls_ca: "), "\(problem)")
        #expect(problem.description.contains(message), "\(problem)")
        // A start is refused with the same message.
        #expect(throws: ConfigError.self) {
            try NodeSettingsMapper.settings(for: try configuration.node(named: "edge-1"), in: configuration)
        }
    }

    @Test func verificationNameNeverPutsAnAddressInSNI() {
        #expect(UpstreamTLS.verificationName(host: "origin.example.com", serverName: nil) == "origin.example.com")
        #expect(UpstreamTLS.verificationName(host: "127.0.0.1", serverName: nil) == nil)
        #expect(UpstreamTLS.verificationName(host: "::1", serverName: nil) == nil)
        #expect(UpstreamTLS.verificationName(host: "10.0.0.5", serverName: "origin.test") == "origin.test")
        #expect(UpstreamTLS.verificationName(host: "a.test", serverName: "b.test") == "b.test")
    }
}

extension UpstreamTLSMappingTests {
    @Test func shieldTLSMapsShieldsToTheirHTTPSListeners() throws {
        let text = """
            [defaults.upstream]
            origins = ["origin-1"]
            shield_tls = true

            [[origins]]
            name = "origin-1"
            url = "http://127.0.0.1:8080"

            [[tls.certificates]]
            names = ["www.cdn.test"]
            cert = "edge.pem"
            key = "edge-key.pem"

            [[nodes]]
            name = "shield-1"
            role = "shield"
            listen = "0.0.0.0:8091"
            https_listen = "0.0.0.0:8491"
            location = { latitude = 50.11, longitude = 8.68, region = "eu-central" }

            [[nodes]]
            name = "edge-1"
            listen = "127.0.0.1:8081"
            location = { latitude = 50.11, longitude = 8.68, region = "eu-central" }

            """
        let configuration = try ConfigLoader.parse(text: text, path: "edge.conf")
        let settings = try NodeSettingsMapper.settings(for: try configuration.node(named: "edge-1"), in: configuration)
        let shield = try #require(settings.shields.first)
        #expect(shield.scheme == "https" && shield.host == "127.0.0.1" && shield.port == 8491)
        #expect(shield.tls != nil && shield.tier == .shield)
        // The shield's own upstreams are the origins, in plain HTTP here.
        var shieldNode = try configuration.node(named: "shield-1")
        shieldNode.httpsListen = nil
        let shieldSettings = try NodeSettingsMapper.settings(for: shieldNode, in: configuration)
        #expect(shieldSettings.shields.isEmpty && shieldSettings.origins.allSatisfy { $0.tls == nil })
    }
}
