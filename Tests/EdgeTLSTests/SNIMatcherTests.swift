import EdgeTLS
import Testing

@Suite("SNI choice of a certificate")
struct SNIMatcherTests {
    let matcher = SNIMatcher(entries: [["www.cdn.test"], ["*.img.test", "img.test"], ["static.img.test"]],
                             defaultIndex: 0)

    @Test func exactNamesWinOverWildcards() {
        #expect(matcher.select("static.img.test") == 2)
        #expect(matcher.select("a.img.test") == 1)
        #expect(matcher.select("IMG.test.") == 1)
    }

    @Test func aWildcardCoversOneLabelOnly() {
        #expect(SNIMatcher.pattern("*.img.test", covers: "a.img.test"))
        #expect(!SNIMatcher.pattern("*.img.test", covers: "a.b.img.test"))
        #expect(!SNIMatcher.pattern("*.img.test", covers: "img.test"))
    }

    @Test func unknownOrMissingNamesGetTheDefault() {
        #expect(matcher.select("unknown.test") == 0)
        #expect(matcher.select(nil) == 0)
        #expect(SNIMatcher(entries: [["a.test"], ["b.test"]], defaultIndex: 1).select("c.test") == 1)
    }

    @Test func matchFollowsTheSameRulesWithoutADefault() {
        #expect(matcher.match("static.img.test") == 2)
        #expect(matcher.match("A.img.test.") == 1)
        #expect(matcher.match("unknown.test") == nil)
        #expect(matcher.match("a.b.img.test") == nil)
        #expect(matcher.match(nil) == nil)
        #expect(matcher.match("") == nil)
    }
}
