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

    @Test func acceptEncodingTokensAreSortedAndLowercased() {
        let fields = ["accept-encoding"]
        let a = Vary.secondaryKey(fields: fields, request: headers(("Accept-Encoding", "gzip, br")))
        let b = Vary.secondaryKey(fields: fields, request: headers(("Accept-Encoding", "BR,gzip")))
        let c = Vary.secondaryKey(fields: fields, request: headers(("Accept-Encoding", "br"), ("Accept-Encoding", "gzip, gzip")))
        #expect(a == b)
        #expect(a == c)
        #expect(a == "accept-encoding=br, gzip")
        let weighted = Vary.secondaryKey(fields: fields, request: headers(("Accept-Encoding", "gzip; q=0.5, br")))
        #expect(weighted == "accept-encoding=br, gzip;q=0.5")
        #expect(Vary.secondaryKey(fields: fields, request: headers(("Accept-Encoding", "gzip"))) != a)
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
}
