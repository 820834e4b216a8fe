import Testing
@testable import EdgeOrigin

@Suite struct RequestPathTests {
    private func parse(_ target: String) -> Result<RequestPath, RequestPathError> {
        RequestPath.parse(target: target)
    }

    @Test func plainPaths() throws {
        #expect(try parse("/").get().segments == [])
        #expect(try parse("/").get().normalized == "/")
        #expect(try parse("/css/site.css?v=3#top").get().segments == ["css", "site.css"])
        #expect(try parse("/a//b/./c/").get().normalized == "/a/b/c/")
        #expect(try parse("/a%20b/%E2%9C%93.txt").get().segments == ["a b", "✓.txt"])
    }

    @Test func encodedSlashSeparatesSegments() throws {
        #expect(try parse("/a%2fb").get().segments == ["a", "b"])
    }

    @Test(arguments: [
        ("/../etc/passwd", RequestPathError.parentSegment),
        ("/a/../../etc/passwd", .parentSegment),
        ("/%2e%2e/etc/passwd", .parentSegment),
        ("/%2E%2E/", .parentSegment),
        ("/a/..%2f..%2fetc/passwd", .parentSegment),
        ("/a/%2e%2e%2f%2e%2e%2fetc", .parentSegment),
        ("/..", .parentSegment),
        ("/a%00.txt", .nulByte),
        ("/%zz", .badPercentEncoding),
        ("/%4", .badPercentEncoding),
        ("/%ff%fe", .notUTF8),
        ("etc/passwd", .notOriginForm),
        ("http://example.com/", .notOriginForm),
        ("*", .notOriginForm),
    ])
    func refused(_ target: String, _ error: RequestPathError) {
        #expect(parse(target) == .failure(error))
    }

    @Test func dotsInsideNamesAreFine() throws {
        #expect(try parse("/a..b/...").get().segments == ["a..b", "..."])
    }
}

@Suite struct MediaTypesTests {
    @Test func byExtension() {
        #expect(MediaTypes.contentType(forPath: "/index.html") == "text/html; charset=utf-8")
        #expect(MediaTypes.contentType(forPath: "/css/SITE.CSS") == "text/css; charset=utf-8")
        #expect(MediaTypes.contentType(forPath: "/images/logo.png") == "image/png")
        #expect(MediaTypes.contentType(forPath: "/images/badge.svg") == "image/svg+xml")
        #expect(MediaTypes.contentType(forPath: "/api/items.json") == "application/json")
        #expect(MediaTypes.contentType(forPath: "/downloads/large.bin") == "application/octet-stream")
        #expect(MediaTypes.contentType(forPath: "/.hidden") == "application/octet-stream")
        #expect(MediaTypes.contentType(forPath: "/noext") == "application/octet-stream")
        #expect(MediaTypes.contentType(forPath: "/dir.d/noext") == "application/octet-stream")
    }
}
