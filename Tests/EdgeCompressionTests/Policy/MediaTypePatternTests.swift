import EdgeCompression
import Testing

@Suite struct MediaTypePatternTests {
    @Test(arguments: [
        ("text/html", "text/html", true),
        ("text/html", "TEXT/Html ; charset=utf-8", true),
        ("text/html", "text/htmlx", false),
        ("text/html", "text/plain", false),
        ("text/*", "text/anything", true),
        ("text/*", "application/text", false),
        ("application/*+json", "application/ld+json", true),
        ("application/*+json", "application/json", false),
        ("application/*+json", "application/jsonp", false),
        ("*/*", "image/png", true),
        ("TEXT/CSS", "text/css", true),
        ("text/css", "text/", false),
        ("text/css", "/css", false),
        ("text/css", "", false),
        ("text/css", "text/css/extra", false),
    ])
    func matching(_ pattern: String, _ contentType: String, _ expected: Bool) throws {
        let parsed = try #require(MediaTypePattern(pattern))
        #expect(parsed.matches(contentType: contentType) == expected)
    }

    @Test(arguments: ["", "text", "text/", "/html", "*/html", "text/*json", "text/*+", "te xt/html", "text/ht\"ml"])
    func invalidPatterns(_ pattern: String) {
        #expect(MediaTypePattern(pattern) == nil)
    }

    @Test func descriptionIsLowercased() {
        #expect(MediaTypePattern(" Text/HTML ; charset=x")?.description == "text/html")
    }
}
