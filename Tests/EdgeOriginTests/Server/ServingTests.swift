import EdgeCore
import Foundation
import NIOHTTP1
import Testing
@testable import EdgeOrigin

@Suite struct ServingTests {
    static let rules = """
        match /api/*
            cache-control "public, max-age=5, stale-while-revalidate=30"
            etag weak
        match /plain/*
            etag none
            last-modified off
        match /cookie/*
            cache-control "public, max-age=60"
            header Set-Cookie "session=1"
            header Set-Cookie "theme=dark"
            header Vary "Accept-Language"
        match *.html
            cache-control "public, max-age=10, must-revalidate"
        default
            cache-control "public, max-age=60"
        """

    private func makeSite() throws -> TempSite {
        let site = try TempSite()
        try site.write("index.html", "<h1>home</h1>\n", modified: 1_600_000_000)
        try site.write("css/site.css", "body{}\n")
        try site.write("api/items.json", "{\"items\":[]}")
        try site.write("plain/a.txt", "plain")
        try site.write("cookie/c.txt", "cookie")
        try site.write("docs/index.html", "<p>docs</p>")
        try site.write("empty/.keep", "")
        try site.write("zero.txt", "")
        return site
    }

    @Test func rootServesIndexWithValidatorsAndRuleHeaders() async throws {
        let site = try makeSite()
        try await withOrigin(site, rules: Self.rules) { origin in
            let response = try await origin.fetch("/")
            #expect(response.status == 200)
            #expect(response.text == "<h1>home</h1>\n")
            #expect(response.header("Content-Type") == "text/html; charset=utf-8")
            #expect(response.header("Content-Length") == "14")
            #expect(response.header("Cache-Control") == "public, max-age=10, must-revalidate")
            #expect(response.header("Last-Modified") == "Sun, 13 Sep 2020 12:26:40 GMT")
            #expect(response.header("Accept-Ranges") == "bytes")
            let etag = try #require(response.header("ETag"))
            #expect(etag.hasPrefix("\"e-"))  // strong, size 14 = 0xe, then the mtime
            let date = try #require(response.header("Date").flatMap { HTTPDate.parse($0) })
            #expect(abs(date - Int64(Date().timeIntervalSince1970)) < 60)
            // Same file by its own name: same validators.
            let direct = try await origin.fetch("/index.html")
            #expect(direct.header("ETag") == etag)
        }
    }

    @Test func headMatchesGetWithoutBody() async throws {
        let site = try makeSite()
        try await withOrigin(site, rules: Self.rules) { origin in
            let get = try await origin.fetch("/css/site.css")
            let head = try await origin.fetch("/css/site.css", method: .HEAD)
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            for name in ["Content-Type", "Content-Length", "ETag", "Last-Modified", "Cache-Control"] {
                #expect(head.header(name) == get.header(name), "\(name)")
            }
            #expect(head.header("Content-Length") == "7")
            #expect(head.header("Cache-Control") == "public, max-age=60")
        }
    }

    @Test func rulesShapeValidatorsAndHeaders() async throws {
        let site = try makeSite()
        try await withOrigin(site, rules: Self.rules) { origin in
            let api = try await origin.fetch("/api/items.json")
            #expect(api.header("ETag")?.hasPrefix("W/\"") == true)
            #expect(api.header("Content-Type") == "application/json")
            #expect(api.header("Cache-Control") == "public, max-age=5, stale-while-revalidate=30")

            let plain = try await origin.fetch("/plain/a.txt")
            #expect(plain.header("ETag") == nil)
            #expect(plain.header("Last-Modified") == nil)
            #expect(plain.header("Cache-Control") == nil)
            #expect(plain.text == "plain")

            let cookie = try await origin.fetch("/cookie/c.txt")
            #expect(cookie.headers["Set-Cookie"] == ["session=1", "theme=dark"])
            #expect(cookie.header("Vary") == "Accept-Language")
        }
    }

    @Test func missingThingsAre404() async throws {
        let site = try makeSite()
        try await withOrigin(site, rules: Self.rules) { origin in
            #expect(try await origin.fetch("/nope.html").status == 404)
            #expect(try await origin.fetch("/empty/").status == 404)  // directory without index.html
            #expect(try await origin.fetch("/index.html/x").status == 404)
            let docs = try await origin.fetch("/docs/")
            #expect(docs.status == 200)
            #expect(docs.text == "<p>docs</p>")
            #expect(docs.header("Cache-Control") == "public, max-age=10, must-revalidate")  // matched as /docs/index.html
            #expect(try await origin.fetch("/docs").text == "<p>docs</p>")
            let missingHead = try await origin.fetch("/nope", method: .HEAD)
            #expect(missingHead.status == 404)
            #expect(missingHead.body.isEmpty)
            let notFound = try await origin.fetch("/nope")
            #expect(notFound.header("Date") != nil)
        }
    }

    @Test func emptyFile() async throws {
        let site = try makeSite()
        try await withOrigin(site) { origin in
            let response = try await origin.fetch("/zero.txt")
            #expect(response.status == 200)
            #expect(response.header("Content-Length") == "0")
            #expect(response.body.isEmpty)
        }
    }

    @Test func otherMethodsAre405WithAllow() async throws {
        let site = try makeSite()
        try await withOrigin(site) { origin in
            for method in [HTTPMethod.POST, .PUT, .DELETE, .OPTIONS] {
                let response = try await origin.fetch("/index.html", method: method)
                #expect(response.status == 405, "\(method)")
                #expect(response.header("Allow") == "GET, HEAD")
                #expect(response.header("Date") != nil)
            }
        }
    }

    @Test func keepAliveServesPipelinedRequestsInOrder() async throws {
        let site = try makeSite()
        try await withOrigin(site) { origin in
            let text = try await origin.raw(
                "GET /css/site.css HTTP/1.1\r\nHost: x\r\n\r\n"
                + "HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(RawHTTP.statuses(in: text) == [200, 200, 404])
            #expect(text.contains("body{}"))
            #expect(text.lowercased().contains("connection: close"))
        }
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() async throws {
        let site = try makeSite()
        try await withOrigin(site) { origin in
            let text = try await origin.raw("GET /css/site.css HTTP/1.0\r\n\r\n")
            #expect(text.hasPrefix("HTTP/1.0 200"))
            #expect(text.hasSuffix("body{}\n"))
        }
    }

    @Test func servesTheDemoSite() async throws {
        // A copy, so generating the large download does not touch the repository.
        let site = try TempSite()
        try FileManager.default.removeItem(atPath: site.root)
        try FileManager.default.copyItem(atPath: RepositoryFiles.originFolder + "/site", toPath: site.root)
        try? FileManager.default.removeItem(atPath: site.root + "/downloads")
        let rules = try String(contentsOfFile: RepositoryFiles.originFolder + "/rules.conf", encoding: .utf8)
        try await withOrigin(site, rules: rules, largeFile: LargeFile.defaultRelativePath) { origin in
            let index = try await origin.fetch("/")
            #expect(index.status == 200)
            #expect(index.text.contains("/css/site.css"))
            #expect(index.header("Cache-Control")?.contains("must-revalidate") == true)
            let expectations: [(String, String, String)] = [
                ("/css/site.css", "text/css; charset=utf-8", "immutable"),
                ("/js/app.js", "text/javascript; charset=utf-8", "immutable"),
                ("/images/logo.png", "image/png", "immutable"),
                ("/images/badge.svg", "image/svg+xml", "immutable"),
                ("/api/items.json", "application/json", "stale-if-error"),
                ("/private/account.json", "application/json", "private"),
                ("/nostore/ticket.txt", "text/plain; charset=utf-8", "no-store"),
            ]
            for (path, type, directive) in expectations {
                let response = try await origin.fetch(path)
                #expect(response.status == 200, "\(path)")
                #expect(response.header("Content-Type") == type, "\(path)")
                #expect(response.header("Cache-Control")?.contains(directive) == true, "\(path)")
            }
            let png = try await origin.fetch("/images/logo.png")
            #expect(Array(png.body.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            #expect(try await origin.fetch("/bench/1k.txt").body.count == 1024)
            #expect(try await origin.fetch("/bench/100k.txt").body.count == 102_400)
            #expect(try await origin.fetch("/cookie/").header("Set-Cookie")?.hasPrefix("session=1") == true)
            #expect(try await origin.fetch("/vary/greeting.txt").header("Vary") == "Accept-Language")
            let large = try await origin.fetch("/downloads/large.bin", method: .HEAD)
            #expect(large.header("Content-Length") == "8388608")
        }
    }
}
