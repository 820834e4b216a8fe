import EdgeConfig
import Testing

/// `[tls]`, `[[tls.certificates]]`, `[tls.http2]` and `https_listen`.
@Suite struct TLSConfigTests {
    let tls = """

        [[tls.certificates]]
        names = ["www.cdn.test", "*.img.test"]
        cert = "tls/edge.pem"
        key = "tls/edge-key.pem"

        [tls.http2]
        max_concurrent_streams = 50
        max_header_list_size = "8KiB"
        reset_window = "10s"
        """

    @Test func certificatesAndLimitsAreReadWithTheirLocations() throws {
        let text = ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082", extra: "https_listen = \"127.0.0.1:8443\"")
            + tls
        let config = try ConfigLoader.parse(text: ConfigFixtures.minimal + text, path: "edge.conf",
                                            baseDirectory: "/etc/edge")
        let entry = try #require(config.tls.certificates.first)
        #expect(entry.names == ["www.cdn.test", "*.img.test"])
        #expect(entry.certificatePath == "/etc/edge/tls/edge.pem")
        #expect(entry.certificateLocation.key == "tls.certificates[0].cert")
        #expect(entry.certificateLocation.line != nil)
        #expect(config.tls.http2.maxConcurrentStreams == 50)
        #expect(config.tls.http2.maxHeaderListSize == 8192)
        #expect(config.tls.http2.resetWindowSeconds == 10)
        #expect(try config.node(named: "edge-2").httpsListen?.port == 8443)
    }

    @Test func httpsListenWithoutCertificatesIsAnError() {
        let text = ConfigFixtures.minimal
            + ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082", extra: "https_listen = \"127.0.0.1:8443\"")
        let error = ConfigFixtures.error(text)
        #expect(error?.key == "nodes[1].https_listen")
    }

    @Test func aBadNameAndAnUnknownKeyNameTheirKeys() {
        let badName = ConfigFixtures.minimal + """

            [[tls.certificates]]
            names = ["www cdn"]
            cert = "a.pem"
            key = "b.pem"
            """
        #expect(ConfigFixtures.error(badName)?.key == "tls.certificates[0].names[0]")
        let unknown = ConfigFixtures.minimal + tls + "\nmax_streams = 3\n"
        #expect(ConfigFixtures.error(unknown)?.kind == .unknownKey)
    }
}
