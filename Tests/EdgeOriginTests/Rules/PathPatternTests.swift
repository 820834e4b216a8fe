import Testing
@testable import EdgeOrigin

@Suite struct PathPatternTests {
    @Test func parsesTheFourShapes() {
        #expect(PathPattern(parsing: "/index.html") == .exact("/index.html"))
        #expect(PathPattern(parsing: "/api/*") == .prefix("/api/"))
        #expect(PathPattern(parsing: "*.css") == .suffix(".css"))
        #expect(PathPattern(parsing: "*") == .any)
    }

    @Test(arguments: ["api", "/api*", "/a/*/b", "**.css", "*.c*", "", "*/x*"])
    func rejectsOtherShapes(_ text: String) {
        #expect(PathPattern(parsing: text) == nil)
    }

    @Test func matching() {
        let prefix = PathPattern.prefix("/api/")
        #expect(prefix.matches("/api/items.json"))
        #expect(prefix.matches("/api/"))
        #expect(!prefix.matches("/api"))
        #expect(!prefix.matches("/apiary/x"))
        #expect(PathPattern.suffix(".css").matches("/css/site.css"))
        #expect(!PathPattern.suffix(".css").matches("/css/site.css.map"))
        #expect(PathPattern.exact("/a").matches("/a"))
        #expect(!PathPattern.exact("/a").matches("/a/"))
        #expect(PathPattern.any.matches("/anything/at/all"))
    }

    @Test func describesItselfAsWritten() {
        for text in ["/index.html", "/api/*", "*.css", "*"] {
            #expect(PathPattern(parsing: text)?.description == text)
        }
    }
}
