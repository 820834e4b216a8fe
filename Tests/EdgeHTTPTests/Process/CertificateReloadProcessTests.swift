import AsyncHTTPClient
import EdgeTLS
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// Certificate renewal on a real `edge` process: the files are replaced on disk and SIGHUP sent, as certbot's
/// deploy hook would. An open keep-alive connection still completes requests, a new handshake presents the new
/// certificate (compared byte for byte with the file, via `openssl s_client`), and a broken key keeps the old one.
@Suite("HTTPS on a real edge process: certificate reload, redirect, HSTS, h2c", .serialized)
struct CertificateReloadProcessTests {
    typealias Fixture = ProcessLifecycleTests.Fixture

    /// A fixture whose edge also listens for HTTPS, with `tls/edge.pem` and `tls/edge-key.pem` from `authority`;
    /// `entryLines` are added to the `[[tls.certificates]]` entry, `http2Lines` form a `[tls.http2]` table.
    static func startFixture(authority: TLSFixture, entryLines: String = "", http2Lines: String = "") async throws
        -> (Fixture, httpsPort: Int, keyLine: Int) {
        let fixture = try await Fixture(files: ["page.html": Array("<p>renewed</p>".utf8)], rules: """
            default
              cache-control "public, max-age=600"
            """)
        let httpsPort = freePort()
        try install(authority, in: fixture)
        let url = fixture.directory.appendingPathComponent("edge.conf")
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: "name = \"edge-p\"\n",
                                         with: "name = \"edge-p\"\nhttps_listen = \"127.0.0.1:\(httpsPort)\"\n")
        text += """


            [[tls.certificates]]
            names = ["www.cdn.test"]
            cert = "tls/edge.pem"
            key = "tls/edge-key.pem"
            \(entryLines)
            \(http2Lines.isEmpty ? "" : "[tls.http2]\n" + http2Lines)
            """
        try text.write(to: url, atomically: true, encoding: .utf8)
        let keyLine = text.components(separatedBy: "\n").firstIndex { $0.hasPrefix("key = ") }.map { $0 + 1 } ?? 0
        try await fixture.startEdge()
        try await EdgeProcess.waitForListener(port: httpsPort)
        return (fixture, httpsPort, keyLine)
    }

    /// Copies `authority`'s server certificate and key to where edge.conf points (what a renewal does).
    static func install(_ authority: TLSFixture, in fixture: Fixture) throws {
        let directory = fixture.directory.appendingPathComponent("tls")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (source, name) in [(authority.paths.certificate, "edge.pem"), (authority.paths.key, "edge-key.pem")] {
            let data = try Data(contentsOf: URL(fileURLWithPath: source))
            try data.write(to: directory.appendingPathComponent(name), options: .atomic)
        }
    }

    /// The first PEM certificate in `text`, without its armour and line breaks.
    static func firstCertificate(in text: String) -> String? {
        guard let begin = text.range(of: "-----BEGIN CERTIFICATE-----"),
              let end = text.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<text.endIndex) else {
            return nil
        }
        return text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
    }

    /// The leaf certificate a new TLS handshake for www.cdn.test is shown, from `openssl s_client`.
    static func presentedCertificate(port: Int) async throws -> String? {
        let output = try await Tool.run("/bin/sh", [
            "-c", "openssl s_client -connect 127.0.0.1:\(port) -servername www.cdn.test </dev/null 2>/dev/null",
        ])
        return firstCertificate(in: output.stdout)
    }

    static func leaf(of authority: TLSFixture) throws -> String? {
        firstCertificate(in: try String(contentsOfFile: authority.paths.certificate, encoding: .utf8))
    }

    @Test func renewedFilesAndSIGHUPKeepOpenConnectionsAndNewHandshakesGetTheNewCertificate() async throws {
        let old = try TLSFixture.make()
        let new = try TLSFixture.make()
        defer {
            old.remove()
            new.remove()
        }
        let (fixture, httpsPort, keyLine) = try await Self.startFixture(authority: old)
        defer { Task { await fixture.tearDown() } }
        let edge = try #require(fixture.edge)
        let oldLeaf = try #require(try Self.leaf(of: old))
        let newLeaf = try #require(try Self.leaf(of: new))
        #expect(oldLeaf != newLeaf)
        #expect(try await Self.presentedCertificate(port: httpsPort) == oldLeaf)

        // A keep-alive client that trusts only the old CA: after the reload it can only succeed on the
        // connection it already has open.
        let client = old.client()
        defer { Task { try? await client.shutdown() } }
        let url = "https://127.0.0.1:\(httpsPort)/page.html"
        let before = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        #expect(String(buffer: try await before.body.collect(upTo: 1 << 20)) == "<p>renewed</p>")
        #expect(before.status == .ok)

        try Self.install(new, in: fixture)
        var offset = edge.log.count
        edge.signal(SIGHUP)
        #expect(await ReloadProcessTests.waitForLog(edge, containing: "reload: certificates reread", after: offset),
                "log:\n\(edge.log)")

        let after = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        #expect(after.status == .ok, "the open connection still completes a request")
        #expect(String(buffer: try await after.body.collect(upTo: 1 << 20)) == "<p>renewed</p>")
        #expect(try await Self.presentedCertificate(port: httpsPort) == newLeaf, "a new handshake gets the new one")

        // A broken key file: the reload is refused, the error names the file, line and key, and the certificate
        // in use stays.
        try "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n"
            .write(to: fixture.directory.appendingPathComponent("tls/edge-key.pem"), atomically: true, encoding: .utf8)
        offset = edge.log.count
        edge.signal(SIGHUP)
        #expect(await ReloadProcessTests.waitForLog(edge, containing: "keeping the running configuration",
                                                    after: offset), "log:\n\(edge.log)")
        let logged = String(edge.log.dropFirst(offset))
        #expect(logged.contains("edge.conf:\(keyLine): tls.certificates[0].key:"), "log:\n\(logged)")
        #expect(edge.process.isRunning)
        #expect(try await Self.presentedCertificate(port: httpsPort) == newLeaf, "the last good certificate stays")
        let stillServing = try await Tool.curl(port: httpsPort, path: "/page.html",
                                               ["--cacert", new.paths.caCertificate, "-w", "%{http_code}"])
        #expect(stillServing.stdout == "200", "\(stillServing.stderr)")
    }

    /// `curl` to the plain listener for www.cdn.test; stdout is `-w`'s output.
    static func plainCurl(port: Int, path: String, _ arguments: [String]) async throws -> Tool.Output {
        try await Tool.run("/usr/bin/curl", ["-sS", "--max-time", "10", "-o", "/dev/null", "-H", "Host: www.cdn.test"]
                            + arguments + ["http://127.0.0.1:\(port)\(path)"])
    }

    /// The keys from edge.conf, through the executable's mapping: h2c on the plain port, the redirect and HSTS
    /// for the entry's names, and both changed by a reload with the certificates.
    @Test func redirectHSTSAndH2cFromEdgeConfAndARedirectTurnedOffBySIGHUP() async throws {
        let tls = try TLSFixture.make()
        defer { tls.remove() }
        let (fixture, httpsPort, _) = try await Self.startFixture(
            authority: tls, entryLines: "redirect_http = true\nhsts = \"max-age=600; includeSubDomains\"",
            http2Lines: "h2c = true")
        defer { Task { await fixture.tearDown() } }
        let edge = try #require(fixture.edge)
        let format = ["-w", "%{http_version} %{http_code} %{redirect_url}"]
        let redirected = try await Self.plainCurl(port: fixture.edgePort, path: "/page.html?x=1", format)
        #expect(redirected.stdout == "1.1 301 https://www.cdn.test:\(httpsPort)/page.html?x=1",
                "\(redirected.stdout) \(redirected.stderr)")
        let h2c = try await Self.plainCurl(port: fixture.edgePort, path: "/page.html",
                                           ["--http2-prior-knowledge"] + format)
        #expect(h2c.stdout.hasPrefix("2 301 https://www.cdn.test:\(httpsPort)/page.html"), "\(h2c.stdout) \(h2c.stderr)")
        let secure = try await Tool.curl(port: httpsPort, path: "/page.html", [
            "--cacert", tls.paths.caCertificate, "-w", "%{http_code} %header{strict-transport-security}",
        ])
        #expect(secure.stdout == "200 max-age=600; includeSubDomains", "\(secure.stdout) \(secure.stderr)")

        let url = fixture.directory.appendingPathComponent("edge.conf")
        let text = try String(contentsOf: url, encoding: .utf8)
        try text.replacingOccurrences(of: "redirect_http = true", with: "redirect_http = false")
            .write(to: url, atomically: true, encoding: .utf8)
        let offset = edge.log.count
        edge.signal(SIGHUP)
        #expect(await ReloadProcessTests.waitForLog(edge, containing: "reload: applied tls.certificates",
                                                    after: offset), "log:\n\(edge.log)")
        let served = try await Self.plainCurl(port: fixture.edgePort, path: "/page.html", format)
        #expect(served.stdout == "1.1 200 ", "\(served.stdout) \(served.stderr)")
        let plainH2 = try await Self.plainCurl(port: fixture.edgePort, path: "/page.html",
                                               ["--http2-prior-knowledge", "-D", "-", "-w", ""])
        #expect(plainH2.stdout.hasPrefix("HTTP/2 200"), "\(plainH2.stdout)")
        #expect(!plainH2.stdout.lowercased().contains("strict-transport-security"), "never on plain HTTP")
    }

    /// A bad `hsts` value stops `edge check-config` (and a reload) with file, line and key.
    @Test func checkConfigNamesABadHSTSValueByFileLineAndKey() async throws {
        let tls = try TLSFixture.make()
        defer { tls.remove() }
        let (fixture, _, keyLine) = try await Self.startFixture(authority: tls)
        defer { Task { await fixture.tearDown() } }
        let edge = try #require(fixture.edge)
        let url = fixture.directory.appendingPathComponent("edge.conf")
        let text = try String(contentsOf: url, encoding: .utf8)
        // The entry's `key` line, then the bad value on the next line.
        try text.replacingOccurrences(of: "key = \"tls/edge-key.pem\"\n",
                                      with: "key = \"tls/edge-key.pem\"\nhsts = \"includeSubDomains\"\n")
            .write(to: url, atomically: true, encoding: .utf8)
        let (status, output) = try EdgeProcess.run(["check-config", "edge.conf"], in: fixture.directory)
        #expect(status == 1)
        #expect(output.contains("edge.conf:\(keyLine + 1): tls.certificates[0].hsts: expected max-age=SECONDS"),
                "got: \(output)")
        let offset = edge.log.count
        edge.signal(SIGHUP)
        #expect(await ReloadProcessTests.waitForLog(edge, containing: "keeping the running configuration",
                                                    after: offset), "log:\n\(edge.log)")
        #expect(String(edge.log.dropFirst(offset)).contains("edge.conf:\(keyLine + 1): tls.certificates[0].hsts"))
        #expect(edge.process.isRunning)
    }
}

