import EdgeCore
import Testing

@Suite("Entity tags")
struct EntityTagTests {
    @Test func parsesStrongAndWeak() {
        #expect(EntityTag(parsing: "\"abc\"") == EntityTag(opaque: "abc"))
        #expect(EntityTag(parsing: "W/\"abc\"") == EntityTag(opaque: "abc", isWeak: true))
        #expect(EntityTag(parsing: "abc") == nil)
        #expect(EntityTag(parsing: "\"a\"b\"") == nil)
        #expect(EntityTag(opaque: "x", isWeak: true).description == "W/\"x\"")
    }

    @Test func comparisonFollowsRFC9110() {
        // RFC 9110 §8.8.3.2's table.
        let w1 = EntityTag(opaque: "1", isWeak: true), w2 = EntityTag(opaque: "2", isWeak: true)
        let s1 = EntityTag(opaque: "1")
        #expect(!w1.stronglyMatches(w1) && w1.weaklyMatches(w1))
        #expect(!w1.stronglyMatches(w2) && !w1.weaklyMatches(w2))
        #expect(!w1.stronglyMatches(s1) && w1.weaklyMatches(s1))
        #expect(s1.stronglyMatches(s1) && s1.weaklyMatches(s1))
    }

    @Test func parsesLists() {
        #expect(EntityTag.parseList("*") == .any)
        #expect(EntityTag.parseList("\"a\", W/\"b\",\"c,d\"") ==
            .tags([EntityTag(opaque: "a"), EntityTag(opaque: "b", isWeak: true), EntityTag(opaque: "c,d")]))
        #expect(EntityTag.parseList("garbage, \"ok\"") == .tags([EntityTag(opaque: "ok")]))
    }
}
