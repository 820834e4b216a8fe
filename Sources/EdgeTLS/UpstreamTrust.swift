import Foundation
import NIOSSL

/// What an HTTPS upstream connection trusts and offers: the client side of edge's TLS, beside the server side
/// in `CertificateStore.makeServerContext`.
///
/// One context per upstream, made once at start: a context holds BoringSSL's parsed trust store, so making
/// one per connection would re-read the CA file (and the system store) on every connect.
public enum UpstreamTrust {
    /// The certificates of a PEM CA bundle (`[[origins]] tls_ca`), read and checked: the file readable and
    /// holding at least one certificate. Problems name `location` (the `tls_ca` key in `edge.conf`).
    public static func loadBundle(path: String, location: CertificateSource.Location) throws(CertificateProblem)
        -> [NIOSSLCertificate]
    {
        func problem(_ kind: CertificateProblem.Kind, _ message: String) -> CertificateProblem {
            CertificateProblem(kind: kind, file: location.file, line: location.line, key: location.key,
                               message: message)
        }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw problem(.unreadable, "cannot read \(path): \(LoadedCertificate.reason(error))")
        }
        let expected = "expected one or more -----BEGIN CERTIFICATE----- blocks"
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(bytes))
        } catch {
            throw problem(.malformed, "\(path) holds no PEM certificate (\(expected); \(error))")
        }
        guard !certificates.isEmpty else { throw problem(.malformed, "\(path) holds no PEM certificate (\(expected))") }
        return certificates
    }

    /// The client context for one upstream: the certificate chain verified (`.fullVerification`) against
    /// `trustRoots`, or the system trust store when `nil`; TLS 1.2 and 1.3 only; ALPN offering `http/1.1` only,
    /// since the upstream client speaks HTTP/1.1. The name checked is chosen per connection (SNI and
    /// verification name, see `UpstreamTLS` in EdgeUpstream).
    public static func makeClientContext(trustRoots: [NIOSSLCertificate]?) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        if let trustRoots {
            configuration.trustRoots = .certificates(trustRoots)
        } else {
            configuration.trustRoots = .default
        }
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        configuration.applicationProtocols = ["http/1.1"]
        return try NIOSSLContext(configuration: configuration)
    }
}
