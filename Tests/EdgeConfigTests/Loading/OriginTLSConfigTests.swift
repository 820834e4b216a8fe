import EdgeConfig
import Testing

/// `[[origins]] tls_ca` and `tls_server_name`: read only on `https://` origins, the CA path relative to the
/// configuration file and its location kept for problems found later in the file.
@Suite struct OriginTLSConfigTests {
    /// `minimal` with origin-1 replaced: its `url` on line 6, `extra` from line 7.
    private func config(url: String, extra: String) -> String {
        ConfigFixtures.minimal.replacingOccurrences(of: "url = \"http://127.0.0.1:8080\"\n",
                                                    with: "url = \"\(url)\"\n\(extra)")
    }

    @Test func httpsOriginReadsCAAndServerName() throws {
        let text = config(url: "https://127.0.0.1:8443",
                          extra: "tls_ca = \"tls/origin-ca.pem\"\ntls_server_name = \"Origin.Example.com\"\n")
        let loaded = try ConfigLoader.parse(text: text, path: "edge.conf", baseDirectory: "/etc/edge")
        let origin = try #require(loaded.origin(named: "origin-1"))
        #expect(origin.endpoint == OriginEndpoint(scheme: .https, host: "127.0.0.1", port: 8443))
        let tls = try #require(origin.tls)
        #expect(tls.caPath == "/etc/edge/tls/origin-ca.pem")
        #expect(tls.caLocation?.key == "origins[0].tls_ca")
        #expect(tls.caLocation?.line == 7)
        #expect(tls.serverName == "origin.example.com")
    }

    @Test func httpsOriginWithoutKeysUsesTheDefaults() throws {
        let loaded = try ConfigLoader.parse(text: config(url: "https://origin.example.com", extra: ""),
                                            path: "edge.conf")
        let origin = try #require(loaded.origin(named: "origin-1"))
        #expect(origin.endpoint.port == 443)
        #expect(origin.tls == nil)
    }

    @Test(arguments: ["tls_ca = \"ca.pem\"", "tls_server_name = \"origin.example.com\""])
    func tlsKeysOnAPlainOriginAreRefused(line: String) {
        let error = ConfigFixtures.error(config(url: "http://127.0.0.1:8080", extra: line + "\n"))
        let key = String(line.prefix { $0 != " " })
        #expect(error?.description
            == "edge.conf:7: origins[0].\(key): \(key) only applies to an https:// origin (url is http://127.0.0.1:8080)")
        #expect(error?.kind == .invalidValue)
    }

    @Test(arguments: ["\"10.0.0.5\"", "\"\"", "\"a b\"", "5"])
    func serverNameMustBeADNSName(value: String) {
        let error = ConfigFixtures.error(config(url: "https://10.0.0.5", extra: "tls_server_name = \(value)\n"))
        #expect(error?.key == "origins[0].tls_server_name")
        #expect(error?.line == 7)
    }

    @Test func anEmptyCAPathIsRefused() {
        let error = ConfigFixtures.error(config(url: "https://10.0.0.5", extra: "tls_ca = \" \"\n"))
        #expect(error?.key == "origins[0].tls_ca")
    }
}

/// `upstream.shield_tls` and `shield_ca`: edges reaching shields on their `https_listen`.
@Suite struct ShieldTLSConfigTests {
    private func text(shieldHTTPS: Bool) -> String {
        """
        [defaults.upstream]
        origins = ["origin-1"]
        shield_tls = true
        shield_ca = "tls/ca.pem"

        [[origins]]
        name = "origin-1"
        url = "http://127.0.0.1:8080"

        [[tls.certificates]]
        names = ["www.cdn.test"]
        cert = "tls/edge.pem"
        key = "tls/edge-key.pem"

        [[nodes]]
        name = "shield-1"
        role = "shield"
        listen = "127.0.0.1:8091"
        \(shieldHTTPS ? "https_listen = \"127.0.0.1:8491\"" : "")
        location = { latitude = 50.11, longitude = 8.68, region = "eu-central" }

        [[nodes]]
        name = "edge-1"
        listen = "127.0.0.1:8081"
        location = { latitude = 50.11, longitude = 8.68, region = "eu-central" }

        """
    }

    @Test func shieldTLSAndCAAreRead() throws {
        let config = try ConfigLoader.parse(text: text(shieldHTTPS: true), path: "edge.conf", baseDirectory: "/etc/edge")
        let edge = try config.node(named: "edge-1")
        #expect(edge.upstream.shieldTLS)
        #expect(edge.upstream.shieldCA == "/etc/edge/tls/ca.pem")
        #expect(edge.upstream.shieldCALocation?.line == 4)
        // check-config's summary names the shields' HTTPS listener and the TLS hop.
        let summary = config.topologyDescription()
        let shieldLine = summary.split(separator: "\n").first { $0.contains("shield-1 ") }
        #expect(shieldLine?.contains("127.0.0.1:8091, https 127.0.0.1:8491") == true, "\(summary)")
        let edgeLine = summary.split(separator: "\n").first { $0.contains("edge-1 ") }
        #expect(edgeLine?.contains("shields shield-1 over HTTPS") == true, "\(summary)")
    }

    @Test func aShieldWithoutHTTPSListenIsAnError() {
        let error = ConfigFixtures.error(text(shieldHTTPS: false))
        #expect(error?.key == "nodes[0].https_listen", "\(String(describing: error))")
        #expect(error?.message.contains("shield_tls") == true)
    }
}
