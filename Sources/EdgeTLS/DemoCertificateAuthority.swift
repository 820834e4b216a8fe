import Crypto
import Foundation
import SwiftASN1
import X509

/// The local demo's certificates: a CA made once under a directory (`var/tls/`), and a server certificate it
/// signs for the service names and every node, remade when the wanted names change. Clients trust `ca.pem`.
public enum DemoCertificateAuthority {
    public struct Paths: Sendable, Equatable {
        public var caCertificate: String
        public var certificate: String
        public var key: String

        public init(caCertificate: String, certificate: String, key: String) {
            self.caCertificate = caCertificate
            self.certificate = certificate
            self.key = key
        }
    }

    /// Makes whatever is missing under `directory` and returns the paths. `dnsNames` and `ipAddresses` (IPv4
    /// literals) go into the server certificate's subject alternative names.
    public static func ensure(directory: String, dnsNames: [String], ipAddresses: [String] = [],
                              now: Date = Date()) throws -> Paths {
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let paths = Paths(caCertificate: directory + "/ca.pem", certificate: directory + "/edge.pem",
                          key: directory + "/edge-key.pem")
        let caKeyPath = directory + "/ca-key.pem"
        let caName = try DistinguishedName {
            OrganizationName("edge demo")
            CommonName("edge demo local CA")
        }

        let caKey: P256.Signing.PrivateKey
        let caCertificate: Certificate
        if files.fileExists(atPath: paths.caCertificate), files.fileExists(atPath: caKeyPath) {
            caKey = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: caKeyPath, encoding: .utf8))
            caCertificate = try Certificate(pemEncoded: String(contentsOfFile: paths.caCertificate, encoding: .utf8))
        } else {
            caKey = P256.Signing.PrivateKey()
            caCertificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(caKey.publicKey),
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
                issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                },
                issuerPrivateKey: .init(caKey))
            try write(caKey.pemRepresentation, to: caKeyPath, private: true)
            try write(caCertificate.serializeAsPEM().pemString, to: paths.caCertificate, private: false)
            try? files.removeItem(atPath: paths.certificate)
        }

        let wanted = Set(dnsNames.map { $0.lowercased() })
        if let existing = try? Certificate.leaf(ofChain: String(contentsOfFile: paths.certificate, encoding: .utf8)),
           files.fileExists(atPath: paths.key), existing.issuer == caName,
           existing.notValidAfter > now.addingTimeInterval(30 * 86_400),
           Set(dnsNamesOf(existing)) == wanted {
            return paths
        }
        let key = P256.Signing.PrivateKey()
        var alternativeNames = dnsNames.map { GeneralName.dnsName($0) }
        for address in ipAddresses {
            let octets = address.split(separator: ".").compactMap { UInt8($0) }
            if octets.count == 4 { alternativeNames.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(octets)))) }
        }
        let subject = try DistinguishedName {
            OrganizationName("edge demo")
            CommonName(dnsNames.first ?? "edge")
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86_400),
            issuer: caCertificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternativeNames)
            },
            issuerPrivateKey: .init(caKey))
        try write(key.pemRepresentation, to: paths.key, private: true)
        try write(certificate.serializeAsPEM().pemString + "\n" + caCertificate.serializeAsPEM().pemString,
                  to: paths.certificate, private: false)
        return paths
    }

    /// The SHA-256 of a certificate's SubjectPublicKeyInfo, base64: what Chromium's
    /// `--ignore-certificate-errors-spki-list` takes.
    public static func spkiHash(ofCertificateAt path: String) throws -> String {
        let certificate = try Certificate.leaf(ofChain: String(contentsOfFile: path, encoding: .utf8))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate.publicKey)
        return Data(SHA256.hash(data: serializer.serializedBytes)).base64EncodedString()
    }

    private static func dnsNamesOf(_ certificate: Certificate) -> [String] {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { name in
            if case .dnsName(let dns) = name { return dns.lowercased() }
            return nil
        }
    }

    private static func write(_ text: String, to path: String, private isPrivate: Bool) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        if isPrivate { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path) }
    }
}
