import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A certificate entry read from disk and checked: the chain and key in the form nio-ssl presents, plus what
/// validation read from the leaf.
public struct LoadedCertificate: Sendable {
    public let names: [String]
    public let chain: [NIOSSLCertificate]
    public let key: NIOSSLPrivateKey
    public let notValidAfter: Date
    /// The leaf's DNS subject alternative names.
    public let subjectNames: [String]

    /// Reads and checks `source`: files readable, PEM parseable, key matching the leaf, the leaf valid at `now`,
    /// and every configured name covered by a subject alternative name. The first problem is thrown.
    public static func load(_ source: CertificateSource, now: Date = Date()) throws(CertificateProblem)
        -> LoadedCertificate {
        let certLocation = source.certificateLocation
        let keyLocation = source.keyLocation
        func problem(_ kind: CertificateProblem.Kind, _ location: CertificateSource.Location, _ message: String)
            -> CertificateProblem {
            CertificateProblem(kind: kind, file: location.file, line: location.line, key: location.key, message: message)
        }
        let certText: String
        let keyText: String
        do {
            certText = try String(contentsOfFile: source.certificatePath, encoding: .utf8)
        } catch {
            throw problem(.unreadable, certLocation, "cannot read \(source.certificatePath): \(Self.reason(error))")
        }
        do {
            keyText = try String(contentsOfFile: source.keyPath, encoding: .utf8)
        } catch {
            throw problem(.unreadable, keyLocation, "cannot read \(source.keyPath): \(Self.reason(error))")
        }

        let leaf: Certificate
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(certText.utf8))
            guard !chain.isEmpty else { throw NIOSSLError.failedToLoadCertificate }
            leaf = try Certificate.leaf(ofChain: certText)
        } catch {
            throw problem(.malformed, certLocation, "\(source.certificatePath) holds no PEM certificate chain (\(error))")
        }
        let privateKey: Certificate.PrivateKey
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(keyText.utf8), format: .pem)
            privateKey = try Certificate.PrivateKey(pemEncoded: keyText)
        } catch {
            throw problem(.malformed, keyLocation, "\(source.keyPath) holds no PEM private key (\(error))")
        }
        guard privateKey.publicKey == leaf.publicKey else {
            throw problem(.keyMismatch, keyLocation,
                          "the key in \(source.keyPath) does not match the certificate in \(source.certificatePath)")
        }
        if leaf.notValidAfter < now {
            throw problem(.expired, certLocation,
                          "the certificate in \(source.certificatePath) expired on \(Self.format(leaf.notValidAfter))")
        }
        if leaf.notValidBefore > now {
            throw problem(.notYetValid, certLocation, "the certificate in \(source.certificatePath) is not valid "
                              + "before \(Self.format(leaf.notValidBefore))")
        }
        var subjectNames: [String] = []
        if let alternatives = try? leaf.extensions.subjectAlternativeNames {
            for name in alternatives {
                if case .dnsName(let dns) = name { subjectNames.append(dns.lowercased()) }
            }
        }
        for name in source.names where !subjectNames.contains(where: { $0 == name || SNIMatcher.pattern($0, covers: name) }) {
            throw problem(.nameNotCovered, source.namesLocation,
                          "\"\(name)\" is not covered by the certificate in \(source.certificatePath) (it names "
                              + (subjectNames.isEmpty ? "no DNS names" : subjectNames.joined(separator: ", ")) + ")")
        }
        return LoadedCertificate(names: source.names, chain: chain, key: key, notValidAfter: leaf.notValidAfter,
                                 subjectNames: subjectNames)
    }

    private static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return code == .ENOENT ? "no such file" : "\(code)"
        }
        return nsError.code == NSFileReadNoSuchFileError ? "no such file" : nsError.localizedDescription
    }
}

extension Certificate {
    /// The first certificate of a PEM chain (the leaf, by convention).
    static func leaf(ofChain pem: String) throws -> Certificate {
        guard let first = try PEMDocument.parseMultiple(pemString: pem).first else {
            throw NIOSSLError.failedToLoadCertificate
        }
        return try Certificate(pemDocument: first)
    }
}
