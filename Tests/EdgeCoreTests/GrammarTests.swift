import EdgeCore
import Testing

@Suite("Field lists and percent-encoding: the one home of each")
struct GrammarTests {
    @Test("commas inside quoted strings do not split a member")
    func quotedCommas() {
        #expect(FieldList.members(of: ["no-cache=\"a, b\", max-age=5", " ,private"]) ==
            ["no-cache=\"a, b\"", "max-age=5", "private"])
        #expect(FieldList.members(of: Substring("W/\"x,y\", \"z\"")) == ["W/\"x,y\"", "\"z\""])
    }

    @Test("an escaped quote does not end a quoted string")
    func escapedQuote() {
        #expect(FieldList.members(of: Substring("a=\"x\\\",y\", b")) == ["a=\"x\\\",y\"", "b"])
        #expect(FieldList.unquote("\"x\\\"y\"") == "x\"y")
        #expect(FieldList.unquote("token") == "token")
    }

    @Test("parameters split on semicolons outside quotes")
    func pieces() {
        #expect(FieldList.pieces(of: "cdn; node=\"a;b\" ;tier=edge", separatedBy: UInt8(ascii: ";")) ==
            ["cdn", "node=\"a;b\"", "tier=edge"])
    }

    @Test("members by field name are case-insensitive across lines")
    func named() {
        let headers: [(name: String, value: String)] = [("Cache-Control", "a, b"), ("x", "c"), ("cache-control", "d")]
        #expect(FieldList.members(named: "cache-control", in: headers) == ["a", "b", "d"])
        #expect(FieldList.first(named: "X", in: headers) == "c")
    }

    @Test("percent-decoding is strict and reads back what it writes")
    func percent() {
        #expect(PercentEncoding.decode("%2Fa%20b") == "/a b")
        #expect(PercentEncoding.decode("a+b", plusAsSpace: true) == "a b")
        #expect(PercentEncoding.decode("a+b") == "a+b")
        #expect(PercentEncoding.decode("%2") == nil)
        #expect(PercentEncoding.decode("%zz") == nil)
        #expect(PercentEncoding.decode("%FF") == nil)  // not UTF-8
        #expect(PercentEncoding.decodeBytes("%FF") == [0xFF])
        let text = "a b%c\u{7f}é"
        let encoded = PercentEncoding.encodeNonPrintable(text)
        #expect(!encoded.contains(" "))
        #expect(PercentEncoding.decode(Substring(encoded)) == text)
    }
}
