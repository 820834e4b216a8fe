import Foundation
import Testing
@testable import EdgeOrigin

/// Requests that try to leave the root, sent as raw bytes because HTTP clients normalise dot segments away.
@Suite struct TraversalTests {
    static let secret = "TOP-SECRET-OUTSIDE-THE-ROOT"

    private func makeSite() throws -> TempSite {
        let site = try TempSite()
        try site.write("a/inside.txt", "inside")
        _ = try site.writeOutside("secret.txt", Self.secret)
        return site
    }

    private func rawGet(_ origin: Origin, _ target: String) async throws -> String {
        try await origin.raw("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    }

    @Test(arguments: [
        "/../secret.txt",
        "/a/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/a/..%2f..%2fsecret.txt",
        "/a/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/../../../../../../etc/passwd",
        "/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/secret.txt%00.html",
        "/a/inside.txt%00",
        "/%",
        "/%c0%ae%c0%ae/secret.txt",
        "http://127.0.0.1/../secret.txt",
        "../secret.txt",
    ])
    func traversalIsRefusedWith400(_ target: String) async throws {
        let site = try makeSite()
        try await withOrigin(site) { origin in
            let text = try await rawGet(origin, target)
            #expect(RawHTTP.statuses(in: text) == [400], "\(target)")
            #expect(!text.contains(Self.secret))
            #expect(!text.contains("root:"))
        }
    }

    @Test(arguments: ["//secret.txt", "/a/..\\..\\secret.txt", "/etc/passwd", "/a/.%2e./secret.txt"])
    func lookalikesStayInsideAndAre404(_ target: String) async throws {
        let site = try makeSite()
        try await withOrigin(site) { origin in
            let text = try await rawGet(origin, target)
            #expect(RawHTTP.statuses(in: text) == [404], "\(target)")
            #expect(!text.contains(Self.secret))
            #expect(!text.contains("root:"))
        }
    }

    @Test func literalNULInTheRequestLineIsRejected() async throws {
        let site = try makeSite()
        try await withOrigin(site) { origin in
            var bytes = Array("GET /a/inside.txt".utf8)
            bytes.append(0)
            bytes += Array("/../../secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
            let text = try await RawHTTP.exchange(port: origin.port, request: bytes)
            #expect(!text.contains(Self.secret))
            #expect(RawHTTP.statuses(in: text).allSatisfy { $0 == 400 })
        }
    }

    @Test func symlinksEscapingTheRootAre404() async throws {
        let site = try makeSite()
        try site.symlink("escape.txt", to: site.directory + "/secret.txt")
        try site.symlink("relative.txt", to: "../secret.txt")
        try site.symlink("outdir", to: site.directory)
        try site.symlink("etc", to: "/etc")
        try site.symlink("inner.txt", to: "a/inside.txt")
        try site.symlink("innerdir", to: site.root + "/a")
        try await withOrigin(site) { origin in
            for target in ["/escape.txt", "/relative.txt", "/outdir/secret.txt", "/etc/passwd", "/outdir/"] {
                let text = try await rawGet(origin, target)
                #expect(RawHTTP.statuses(in: text) == [404], "\(target)")
                #expect(!text.contains(Self.secret))
                #expect(!text.contains("root:"))
            }
            // Links that stay inside the root are followed.
            #expect(try await origin.fetch("/inner.txt").text == "inside")
            #expect(try await origin.fetch("/innerdir/inside.txt").text == "inside")
        }
    }

    @Test func aRootReachedThroughASymlinkStillWorks() async throws {
        let site = try makeSite()
        let link = site.directory + "/root-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: site.root)
        let server = try DevOriginServer(settings: DevOriginSettings(root: link, largeFile: nil),
                                         logger: TestLogger.quiet)
        let port = try await server.start()
        let origin = Origin(server: server, port: port)
        #expect(try await origin.fetch("/a/inside.txt").text == "inside")
        #expect(RawHTTP.statuses(in: try await rawGet(origin, "/../secret.txt")) == [400])
        try await server.stop()
    }

    @Test func fifosAndOtherSpecialFilesAreNotServed() async throws {
        let site = try makeSite()
        #expect(mkfifo(site.root + "/pipe", 0o644) == 0)
        try await withOrigin(site) { origin in
            let text = try await rawGet(origin, "/pipe")
            #expect(RawHTTP.statuses(in: text) == [404])
        }
    }
}
