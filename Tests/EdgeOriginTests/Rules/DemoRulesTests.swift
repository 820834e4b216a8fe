import Testing
@testable import EdgeOrigin

/// The committed `origin/rules.conf` parses and gives the demo paths the behaviour the site describes.
@Suite struct DemoRulesTests {
    let rules: OriginRules

    init() throws {
        rules = try OriginRules.load(path: RepositoryFiles.originFolder + "/rules.conf")
    }

    @Test func htmlIsShortLivedAndMustRevalidate() {
        let rule = rules.rule(for: "/index.html")
        #expect(rule.cacheControl?.contains("must-revalidate") == true)
        #expect(rule.cacheControl?.contains("max-age=10") == true)
    }

    @Test func assetsAreLongLived() {
        for path in ["/css/site.css", "/js/app.js", "/images/logo.png", "/images/badge.svg"] {
            #expect(rules.rule(for: path).cacheControl?.contains("max-age=31536000") == true, "\(path)")
        }
        #expect(rules.rule(for: "/css/site.css").header(named: "Surrogate-Key") == "css assets")
    }

    @Test func apiAllowsStaleResponses() {
        let value = rules.rule(for: "/api/items.json").cacheControl ?? ""
        #expect(value.contains("stale-while-revalidate") && value.contains("stale-if-error"))
        #expect(rules.rule(for: "/api/time") == rules.rule(for: "/api/items.json"))
    }

    @Test func specialPaths() {
        #expect(rules.rule(for: "/private/account.json").cacheControl?.hasPrefix("private") == true)
        #expect(rules.rule(for: "/private/page.html").cacheControl?.hasPrefix("private") == true)
        #expect(rules.rule(for: "/cookie/index.html").header(named: "Set-Cookie")?.hasPrefix("session=1") == true)
        #expect(rules.rule(for: "/vary/greeting.txt").header(named: "Vary") == "Accept-Language")
        #expect(rules.rule(for: "/nostore/ticket.txt").cacheControl == "no-store")
        #expect(rules.rule(for: "/slow/report.txt").delay == .milliseconds(200))
        #expect(rules.rule(for: "/stream/sample.txt").bytesPerSecond == 256 * 1024)
        #expect(rules.rule(for: "/elsewhere.txt").isDefault)
    }
}
