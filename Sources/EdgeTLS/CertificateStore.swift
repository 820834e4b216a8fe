import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// The certificates an HTTPS listener presents, behind one atomic reference.
///
/// The listener's `NIOSSLContext` is built once; its SNI callback reads the current set at every client hello,
/// so `reload` (SIGHUP) changes what new handshakes get while connections already open keep the certificate
/// they negotiated. A reload that fails any check replaces nothing: the node keeps serving the old set.
public final class CertificateStore: Sendable {
    /// What one reload installs: the loaded entries and the matcher over their names.
    struct Snapshot: Sendable {
        var certificates: [LoadedCertificate]
        var matcher: SNIMatcher
    }

    private let current: Mutex<Snapshot>

    /// Loads every entry; throws the first problem.
    public init(sources: [CertificateSource], now: Date = Date()) throws(CertificateProblem) {
        current = Mutex(try Self.load(sources, now: now))
    }

    /// Every problem in `sources`, one per entry at most, for `edge check-config`.
    public static func problems(in sources: [CertificateSource], now: Date = Date()) -> [CertificateProblem] {
        sources.compactMap { source -> CertificateProblem? in
            do throws(CertificateProblem) {
                _ = try LoadedCertificate.load(source, now: now)
                return nil
            } catch {
                return error
            }
        }
    }

    /// Replaces the set new handshakes get, if every entry loads; otherwise throws and keeps the old set.
    public func reload(_ sources: [CertificateSource], now: Date = Date()) throws(CertificateProblem) {
        let snapshot = try Self.load(sources, now: now)
        current.withLock { $0 = snapshot }
    }

    /// Takes over `other`'s certificates (already loaded and checked), for a reload that built a new store.
    public func replace(with other: CertificateStore) {
        let snapshot = other.current.withLock { $0 }
        current.withLock { $0 = snapshot }
    }

    /// The certificate a client hello naming `serverName` gets (the default without SNI or a match).
    public func certificate(for serverName: String?) -> LoadedCertificate {
        current.withLock { snapshot in snapshot.certificates[snapshot.matcher.select(serverName)] }
    }

    /// The server context for a listener: TLS 1.2 and 1.3 only, forward-secret AEAD suites, ALPN offering
    /// `applicationProtocols` in preference order, and the SNI callback over this store.
    public func makeServerContext(applicationProtocols: [String] = ["h2", "http/1.1"]) throws -> NIOSSLContext {
        let initial = certificate(for: nil)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: initial.chain.map { .certificate($0) }, privateKey: .privateKey(initial.key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        // TLS 1.2: ECDHE with AES-GCM or ChaCha20-Poly1305 only (no CBC, no static RSA). TLS 1.3's suites are
        // fixed by BoringSSL and all AEAD.
        configuration.cipherSuiteValues = [
            .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ]
        configuration.applicationProtocols = applicationProtocols
        configuration.sslContextCallback = { [self] values, promise in
            let chosen = self.certificate(for: values.serverHostname)
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = chosen.chain.map { .certificate($0) }
            override.privateKey = .privateKey(chosen.key)
            promise.succeed(override)
        }
        return try NIOSSLContext(configuration: configuration)
    }

    private static func load(_ sources: [CertificateSource], now: Date) throws(CertificateProblem) -> Snapshot {
        guard !sources.isEmpty else {
            throw CertificateProblem(kind: .unreadable, file: "edge.conf", line: nil, key: "tls.certificates",
                                     message: "no certificates configured")
        }
        var loaded: [LoadedCertificate] = []
        for source in sources { loaded.append(try LoadedCertificate.load(source, now: now)) }
        let defaultIndex = sources.firstIndex(where: \.isDefault) ?? 0
        return Snapshot(certificates: loaded, matcher: SNIMatcher(entries: loaded.map(\.names), defaultIndex: defaultIndex))
    }
}
