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

    @Test func aPublicHTTPSPortIsReadAndNeedsAnHTTPSListener() throws {
        let node = ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082",
                                       extra: "https_listen = \"127.0.0.1:8443\"\nhttps_public_port = 443")
        let config = try ConfigLoader.parse(text: ConfigFixtures.minimal + node + tls, path: "edge.conf",
                                            baseDirectory: "/etc/edge")
        #expect(try config.node(named: "edge-2").httpsPublicPort == 443)
        #expect(try config.node(named: "edge-2").httpsListen?.port == 8443)
        let outOfRange = ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082",
                                             extra: "https_listen = \"127.0.0.1:8443\"\nhttps_public_port = 70000")
        #expect(ConfigFixtures.error(ConfigFixtures.minimal + outOfRange + tls)?.key == "nodes[1].https_public_port")
        let withoutListener = ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082", extra: "https_public_port = 443")
        let error = ConfigFixtures.error(ConfigFixtures.minimal + withoutListener + tls)
        #expect(error?.key == "nodes[1].https_public_port")
        #expect(error?.description.contains("https_listen") == true, "\(String(describing: error))")
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

    @Test func redirectHSTSAndH2cAreReadAndOffByDefault() throws {
        let text = ConfigFixtures.minimal + """

            [[tls.certificates]]
            names = ["www.cdn.test"]
            cert = "a.pem"
            key = "b.pem"
            redirect_http = true
            hsts = "max-age=31536000;includesubdomains ; PRELOAD"

            [[tls.certificates]]
            names = ["api.test"]
            cert = "c.pem"
            key = "d.pem"

            [tls.http2]
            h2c = true
            """
        let config = try ConfigLoader.parse(text: text, path: "edge.conf")
        #expect(config.tls.certificates[0].redirectHTTP)
        #expect(config.tls.certificates[0].hsts == "max-age=31536000; includeSubDomains; preload")
        #expect(!config.tls.certificates[1].redirectHTTP)
        #expect(config.tls.certificates[1].hsts == nil)
        #expect(config.tls.http2.h2c)
        #expect(!TLSSettings.HTTP2().h2c)
    }

    @Test(arguments: ["includeSubDomains; max-age=1", "max-age=", "max-age=-1", "max-age=1y", "max-age=1; foo",
                      "max-age=1; preload; preload", "max-age=1\\nx: y", "max-age=1;;", "max-age=\\\"1\\\""])
    func aBadHSTSValueIsAConfigErrorWithFileLineAndKey(_ value: String) throws {
        // `minimal` is 11 lines; the entry's header lands on line 13, `hsts` on line 17.
        let text = ConfigFixtures.minimal + """

            [[tls.certificates]]
            names = ["www.cdn.test"]
            cert = "a.pem"
            key = "b.pem"
            hsts = "\(value)"
            """
        let error = try #require(ConfigFixtures.error(text), "\(value)")
        #expect(error.key == "tls.certificates[0].hsts", "\(error)")
        #expect(error.line == 17, "\(error)")
        #expect(error.description.hasPrefix("edge.conf:17: tls.certificates[0].hsts: "), "\(error)")
    }

    @Test func nonBooleanRedirectAndH2cAreConfigErrors() {
        let redirect = ConfigFixtures.minimal + """

            [[tls.certificates]]
            names = ["www.cdn.test"]
            cert = "a.pem"
            key = "b.pem"
            redirect_http = "yes"
            """
        #expect(ConfigFixtures.error(redirect)?.key == "tls.certificates[0].redirect_http")
        let h2c = ConfigFixtures.minimal + """

            [tls.http2]
            h2c = 1
            """
        #expect(ConfigFixtures.error(h2c)?.key == "tls.http2.h2c")
    }
}

