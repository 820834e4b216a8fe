import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// The certificates an HTTPS listener presents, behind one atomic reference.
///
/// Each new connection takes the `NIOSSLContext` of the current set (`serverContext()`), built once per set:
/// so `reload` (SIGHUP) changes what new handshakes get while connections already open keep the certificate
/// they negotiated. A reload that fails any check replaces nothing: the node keeps serving the old set.
///
/// With one certificate the context simply holds it; with several, its SNI callback picks one at each client
/// hello. The callback costs every handshake a suspension and an event-loop turn (and, for any but the
/// context's own certificate, loading the chain into the connection), so a single-certificate listener does
/// without it (in a profile of resumed handshakes the callback, with its loading, was 16 % of the node's CPU).
public final class CertificateStore: Sendable {
    /// What one reload installs: the loaded entries and the matcher over their names.
    struct Snapshot: Sendable {
        var certificates: [LoadedCertificate]
        var matcher: SNIMatcher
    }

    /// The current set and, once a connection asked for it, its server context.
    private struct State: Sendable {
        var snapshot: Snapshot
        var context: NIOSSLContext?
    }

    private let state: Mutex<State>

    /// Loads every entry; throws the first problem.
    public init(sources: [CertificateSource], now: Date = Date()) throws(CertificateProblem) {
        state = Mutex(State(snapshot: try Self.load(sources, now: now), context: nil))
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
        state.withLock { $0 = State(snapshot: snapshot, context: nil) }
    }

    /// Takes over `other`'s certificates (already loaded and checked), for a reload that built a new store.
    public func replace(with other: CertificateStore) {
        let snapshot = other.state.withLock { $0.snapshot }
        state.withLock { $0 = State(snapshot: snapshot, context: nil) }
    }

    /// The certificate a client hello naming `serverName` gets (the default without SNI or a match).
    public func certificate(for serverName: String?) -> LoadedCertificate {
        state.withLock { state in state.snapshot.certificates[state.snapshot.matcher.select(serverName)] }
    }

    /// The server context a new connection uses: the current set's, built on first use after each reload (the
    /// first connection after a reload pays for it once, with the lock held, so it is built once).
    public func serverContext() throws -> NIOSSLContext {
        try state.withLock { state in
            if let context = state.context { return context }
            let context = try Self.makeServerContext(for: state.snapshot)
            state.context = context
            return context
        }
    }

    /// A server context for the current set: TLS 1.2 and 1.3 only, forward-secret AEAD suites, ALPN offering
    /// `applicationProtocols` in preference order, and an SNI callback when there is more than one certificate.
    public func makeServerContext(applicationProtocols: [String] = ["h2", "http/1.1"]) throws -> NIOSSLContext {
        try Self.makeServerContext(for: state.withLock { $0.snapshot }, applicationProtocols: applicationProtocols)
    }

    private static func makeServerContext(for snapshot: Snapshot,
                                          applicationProtocols: [String] = ["h2", "http/1.1"]) throws -> NIOSSLContext {
        let initial = snapshot.certificates[snapshot.matcher.select(nil)]
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
        if snapshot.certificates.count > 1 {
            configuration.sslContextCallback = { values, promise in
                let chosen = snapshot.certificates[snapshot.matcher.select(values.serverHostname)]
                var override = NIOSSLContextConfigurationOverride()
                // The context's own certificate needs no loading into the connection.
                if chosen.key !== initial.key {
                    override.certificateChain = chosen.chain.map { .certificate($0) }
                    override.privateKey = .privateKey(chosen.key)
                }
                promise.succeed(override)
            }
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
