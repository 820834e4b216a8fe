@testable import EdgeUpstream
import Testing

/// The pure parts of upstream TLS: which name SNI and verification use, and the short handshake reason.
@Suite struct UpstreamTLSNameTests {
    @Test func addressesNeverGoIntoSNI() {
        #expect(UpstreamTLS.verificationName(host: "origin.example.com", serverName: nil) == "origin.example.com")
        #expect(UpstreamTLS.verificationName(host: "192.0.2.7", serverName: nil) == nil)
        #expect(UpstreamTLS.verificationName(host: "2001:db8::1", serverName: nil) == nil)
        #expect(UpstreamTLS.verificationName(host: "192.0.2.7", serverName: "origin.test") == "origin.test")
    }

    @Test func handshakeReasonsKeepBoringSSLCodesOnly() {
        struct Described: Error, CustomStringConvertible { var description: String }
        let boring = Described(description: "handshakeFailed(NIOSSL.BoringSSLError.sslError([Error: 1 error:1a000064:"
            + "ECDSA routines:OPENSSL_internal:BAD_SIGNATURE at /x/ecdsa.cc.inc:105, Error: 2 error:1000007d:SSL "
            + "routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /x/handshake.cc:320]))")
        #expect(UpstreamTLSHandshakeHandler.reason(of: boring) == "BAD_SIGNATURE, CERTIFICATE_VERIFY_FAILED")
        #expect(UpstreamTLSHandshakeHandler.reason(of: Described(description: "eof")) == "eof")
    }
}
