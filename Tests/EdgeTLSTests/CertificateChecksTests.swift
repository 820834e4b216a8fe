import EdgeTLS
import Foundation
import Testing

/// The checks `edge check-config` runs on certificate files, on real files made by the demo CA.
@Suite("Certificate checks")
struct CertificateChecksTests {
    static func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("edge-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func source(_ paths: DemoCertificateAuthority.Paths, names: [String], key: String? = nil)
        -> CertificateSource {
        CertificateSource(
            names: names, certificatePath: paths.certificate, keyPath: key ?? paths.key,
            namesLocation: .init(file: "edge.conf", line: 12, key: "tls.certificates[0].names"),
            certificateLocation: .init(file: "edge.conf", line: 13, key: "tls.certificates[0].cert"),
            keyLocation: .init(file: "edge.conf", line: 14, key: "tls.certificates[0].key"))
    }

    @Test func aGoodEntryLoadsAndCoversWildcardNames() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = try DemoCertificateAuthority.ensure(directory: directory, dnsNames: ["www.cdn.test", "*.img.test"])
        let loaded = try LoadedCertificate.load(Self.source(paths, names: ["www.cdn.test", "a.img.test"]))
        #expect(loaded.chain.count == 2, "leaf and CA")
        #expect(CertificateStore.problems(in: [Self.source(paths, names: ["www.cdn.test"])]).isEmpty)
    }

    @Test func aMissingFileNamesTheKeyAndLine() throws {
        let paths = DemoCertificateAuthority.Paths(caCertificate: "/nonexistent/ca.pem",
                                                   certificate: "/nonexistent/edge.pem", key: "/nonexistent/key.pem")
        let problems = CertificateStore.problems(in: [Self.source(paths, names: ["www.cdn.test"])])
        #expect(problems.map(\.kind) == [.unreadable])
        #expect(problems.first?.description.hasPrefix("edge.conf:13: tls.certificates[0].cert: cannot read /nonexistent/edge.pem") == true)
    }

    @Test func aKeyOfAnotherCertificateIsRefused() throws {
        let first = try Self.scratch()
        let second = try Self.scratch()
        defer {
            try? FileManager.default.removeItem(atPath: first)
            try? FileManager.default.removeItem(atPath: second)
        }
        let a = try DemoCertificateAuthority.ensure(directory: first, dnsNames: ["www.cdn.test"])
        let b = try DemoCertificateAuthority.ensure(directory: second, dnsNames: ["www.cdn.test"])
        let problems = CertificateStore.problems(in: [Self.source(a, names: ["www.cdn.test"], key: b.key)])
        #expect(problems.map(\.kind) == [.keyMismatch])
        #expect(problems.first?.description.hasPrefix("edge.conf:14: tls.certificates[0].key: the key in") == true)
    }

    @Test func anExpiredCertificateIsRefused() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let twoYearsAgo = Date().addingTimeInterval(-2 * 365 * 86_400)
        let paths = try DemoCertificateAuthority.ensure(directory: directory, dnsNames: ["www.cdn.test"],
                                                        now: twoYearsAgo)
        let problems = CertificateStore.problems(in: [Self.source(paths, names: ["www.cdn.test"])])
        #expect(problems.map(\.kind) == [.expired])
        #expect(problems.first?.description.contains("tls.certificates[0].cert: the certificate in") == true)
    }

    @Test func aNameTheCertificateDoesNotCoverIsRefused() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = try DemoCertificateAuthority.ensure(directory: directory, dnsNames: ["www.cdn.test"])
        let problems = CertificateStore.problems(in: [Self.source(paths, names: ["www.cdn.test", "img.cdn.test"])])
        #expect(problems.map(\.kind) == [.nameNotCovered])
        #expect(problems.first?.description.hasPrefix(
            "edge.conf:12: tls.certificates[0].names: \"img.cdn.test\" is not covered") == true)
    }

    @Test func theDemoAuthorityIsMadeOnceAndTheLeafRemadeForNewNames() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try DemoCertificateAuthority.ensure(directory: directory, dnsNames: ["www.cdn.test"])
        let ca = try String(contentsOfFile: first.caCertificate, encoding: .utf8)
        let leaf = try String(contentsOfFile: first.certificate, encoding: .utf8)
        _ = try DemoCertificateAuthority.ensure(directory: directory, dnsNames: ["www.cdn.test"])
        #expect(try String(contentsOfFile: first.certificate, encoding: .utf8) == leaf, "same names: kept")
        let again = try DemoCertificateAuthority.ensure(directory: directory, dnsNames: ["www.cdn.test", "img.test"])
        #expect(try String(contentsOfFile: again.caCertificate, encoding: .utf8) == ca, "the CA is made once")
        #expect(try String(contentsOfFile: again.certificate, encoding: .utf8) != leaf)
        #expect(try LoadedCertificate.load(Self.source(again, names: ["img.test"])).subjectNames.contains("img.test"))
        #expect(try DemoCertificateAuthority.spkiHash(ofCertificateAt: again.certificate).count == 44)
    }

    @Test func aReloadWithABadEntryKeepsTheOldCertificates() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = try DemoCertificateAuthority.ensure(directory: directory, dnsNames: ["www.cdn.test"])
        let store = try CertificateStore(sources: [Self.source(paths, names: ["www.cdn.test"])])
        #expect(throws: CertificateProblem.self) {
            try store.reload([Self.source(paths, names: ["other.test"])])
        }
        #expect(store.certificate(for: "www.cdn.test").names == ["www.cdn.test"])
    }
}
