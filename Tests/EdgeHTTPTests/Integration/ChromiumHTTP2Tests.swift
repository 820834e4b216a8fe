import EdgeTLS
import Foundation
import Testing

/// A real browser over HTTPS: headless Chromium loads a page from the edge, and the page writes the protocol
/// its own navigation used into the DOM, which `--dump-dom` prints.
@Suite("Chromium over HTTPS")
struct ChromiumHTTP2Tests {
    @Test func chromiumLoadsAPageOverHTTP2() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") else {
            Issue.record("/usr/bin/chromium is needed (Debian package chromium)")
            return
        }
        let tls = try TLSFixture.make()
        defer { tls.remove() }
        let page = """
            <html><body><p id="protocol"></p><script>
            document.getElementById("protocol").textContent = "protocol=" + performance.getEntries()[0].nextHopProtocol;
            </script></body></html>
            """
        let cluster = try await TestCluster.startHTTPS(sources: [tls.source()], files: ["index.html": page],
                                                       rules: "match /index.html\n  cache-control \"public, max-age=60\"\n")
        defer { Task { await cluster.shutdown() } }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("edge-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let spki = try DemoCertificateAuthority.spkiHash(ofCertificateAt: tls.paths.certificate)
        let output = try await Tool.run("/usr/bin/timeout", [
            "60", "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)",
            "--host-resolver-rules=MAP www.cdn.test 127.0.0.1", "--ignore-certificate-errors-spki-list=\(spki)",
            "--virtual-time-budget=3000", "--dump-dom", "https://www.cdn.test:\(cluster.httpsPort)/index.html",
        ])
        #expect(output.stdout.contains("protocol=h2"), "chromium printed: \(output.stdout)\n\(output.stderr.suffix(2000))")
    }
}
