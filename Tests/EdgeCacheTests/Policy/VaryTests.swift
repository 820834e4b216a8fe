import EdgeCache
import NIOHTTP1
import Testing

@Suite("Vary and secondary keys (RFC 9111 §4.1)")
struct VaryTests {
    @Test func noVary() {
        #expect(Vary.fieldNames(HTTPHeaders()) == .none)
        #expect(Vary.fieldNames(headers(("Vary", ""))) == .none)
        #expect(Vary.fieldNames(HTTPHeaders()).names == [])
    }

    @Test func namesAreLowercasedSortedAndDeduplicated() {
        let fields = headers(("Vary", "User-Agent, Accept-Encoding"), ("vary", "accept-encoding,Accept-Language"))
        #expect(Vary.fieldNames(fields) == .fields(["accept-encoding", "accept-language", "user-agent"]))
    }

    @Test func starNeverMatches() {
        #expect(Vary.fieldNames(headers(("Vary", "*"))) == .any)
        #expect(Vary.fieldNames(headers(("Vary", "Accept"), ("Vary", "*"))) == .any)
        #expect(Vary.fieldNames(headers(("Vary", "Accept, *"))).names == [])
    }

    @Test func malformedMembersAreIgnored() {
        #expect(Vary.fieldNames(headers(("Vary", "Accept, bad name, \"q\""))) == .fields(["accept"]))
    }

    @Test func emptyWithoutFields() {
        #expect(Vary.secondaryKey(fields: [], request: headers(("Accept", "text/html"))) == "")
    }

    @Test func sameValuesShareAVariant() {
        let fields = ["accept-language"]
        let a = Vary.secondaryKey(fields: fields, request: headers(("Accept-Language", "en")))
        let b = Vary.secondaryKey(fields: fields, request: headers(("accept-language", "en"), ("Accept", "x")))
        #expect(a == b)
        #expect(a == "accept-language=en")
    }

    @Test func differentValuesDiffer() {
        let fields = ["accept-language"]
        let en = Vary.secondaryKey(fields: fields, request: headers(("Accept-Language", "en")))
        let fr = Vary.secondaryKey(fields: fields, request: headers(("Accept-Language", "fr")))
        #expect(en != fr)
    }

    @Test func absentAndEmptyDiffer() {
        let fields = ["x-variant"]
        let absent = Vary.secondaryKey(fields: fields, request: HTTPHeaders())
        let empty = Vary.secondaryKey(fields: fields, request: headers(("X-Variant", "")))
        #expect(absent != empty)
        #expect(absent == "x-variant")
    }

    @Test func multipleLinesEqualOneCombinedLine() {
        let fields = ["accept"]
        let lines = Vary.secondaryKey(fields: fields, request: headers(("Accept", "text/html"), ("Accept", "*/*")))
        let combined = Vary.secondaryKey(fields: fields, request: headers(("Accept", "text/html,  */*")))
        #expect(lines == combined)
        #expect(lines == "accept=text/html, */*")
    }

    @Test func whitespaceIsCollapsed() {
        let fields = ["user-agent"]
        let a = Vary.secondaryKey(fields: fields, request: headers(("User-Agent", "Mozilla/5.0  (X11;\t Linux)")))
        let b = Vary.secondaryKey(fields: fields, request: headers(("User-Agent", "Mozilla/5.0 (X11; Linux)")))
        #expect(a == b)
    }

    @Test func acceptEncodingIsReducedToTheCodingATierWouldPick() {
        let fields = ["accept-encoding"]
        func key(_ values: String...) -> String {
            Vary.secondaryKey(fields: fields, request: headers(values.map { ("Accept-Encoding", $0) }))
        }
        let a = key("gzip, br")
        #expect(a == key("BR,gzip"))
        #expect(a == key("br", "gzip, gzip"))
        #expect(a == key("gzip; q=0.5, br"))
        #expect(a == "accept-encoding=br")
        #expect(key("gzip") == "accept-encoding=gzip")
        #expect(key("br;q=0.5, gzip") == "accept-encoding=gzip")
        #expect(key("x-gzip") == "accept-encoding=gzip")
        #expect(key("identity") == "accept-encoding=identity")
        #expect(key("br;q=0, gzip;q=0") == "accept-encoding=identity")
        #expect(key("*") == "accept-encoding=br")
        #expect(key("*;q=0, identity") == "accept-encoding=identity")
        // Codings no tier here serves are ignored (fills ask upstream for the chosen coding only).
        #expect(key("deflate") == "accept-encoding=identity")
        #expect(key("gzip, deflate, br, zstd") == "accept-encoding=br")
        #expect(key("gzip;q=bad") == "accept-encoding=gzip;q=bad")
    }

    @Test func fieldOrderAndCaseDoNotMatter() {
        let request = headers(("Accept", "a"), ("Accept-Language", "en"))
        let a = Vary.secondaryKey(fields: ["accept-language", "accept"], request: request)
        let b = Vary.secondaryKey(fields: ["Accept", "ACCEPT-LANGUAGE", "accept"], request: request)
        #expect(a == b)
        #expect(a == "accept=a\naccept-language=en")
    }

    @Test func valuesCannotSmuggleLineBreaks() {
        let key = Vary.secondaryKey(fields: ["x"], request: headers(("X", "a\r\nb")))
        #expect(key == "x=a b")
    }

    @Test("equivalent Accept-Language values share one variant: case, spaces, q spelling and q order")
    func acceptLanguageIsNormalised() {
        func key(_ value: String) -> String {
            Vary.secondaryKey(fields: ["accept-language"], request: headers(("Accept-Language", value)))
        }
        let canonical = key("en-US,fr;q=0.8")
        #expect(canonical == "accept-language=en-us,fr;q=0.8")
        #expect(key("fr; q=0.80, EN-us") == canonical)
        #expect(key("EN-US , FR;Q=0.8") == canonical)
        #expect(key("en-us;q=1.0, fr;q=0.800") == canonical)
        // Equal weights keep the client's order: `de, en` and `en, de` are different preferences.
        #expect(key("de, en") != key("en, de"))
        #expect(key("da, en-gb;q=0.8, en;q=0.7") == key("en;q=0.7, da, en-GB;q=0.8"))
        // A malformed q-value keys by the raw (trimmed) list rather than guessing.
        #expect(key("en;q=2") == "accept-language=en;q=2")
    }
}
