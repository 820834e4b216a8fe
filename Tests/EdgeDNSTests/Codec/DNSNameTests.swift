import Testing
@testable import EdgeDNS

@Suite struct DNSNameTests {
    @Test func parsesTextWithAndWithoutTrailingDot() throws {
        let name = try DNSName("www.cdn.test")
        #expect(name.labels.map { String(decoding: $0, as: UTF8.self) } == ["www", "cdn", "test"])
        #expect(try DNSName("www.cdn.test.") == name)
        #expect(try DNSName(".") == .root)
        #expect(name.description == "www.cdn.test.")
        #expect(name.wireLength == 14)
    }

    @Test func comparesCaseInsensitivelyAndKeepsCase() throws {
        let mixed = try DNSName("WwW.CDN.test")
        let lower = try DNSName("www.cdn.test")
        #expect(mixed == lower)
        #expect(mixed.hashValue == lower.hashValue)
        #expect(Set([mixed, lower]).count == 1)
        #expect(mixed.description == "WwW.CDN.test.")
    }

    @Test func domainMembership() throws {
        let apex = try DNSName("cdn.test")
        #expect(try DNSName("www.CDN.test").isInDomain(apex))
        #expect(apex.isInDomain(apex))
        #expect(!(try DNSName("cdn.test.evil")).isInDomain(apex))
        #expect(!(try DNSName("xcdn.test")).isInDomain(apex))
        #expect(!(try DNSName("test")).isInDomain(apex))
        #expect(apex.isInDomain(.root))
        #expect(try DNSName("a.b.cdn.test").droppingFirst(2) == apex)
    }

    @Test func enforcesLengthLimits() throws {
        let label63 = String(repeating: "a", count: 63)
        #expect(throws: DNSCodecError.self) { try DNSName(String(repeating: "a", count: 64) + ".test") }
        // 1 + 3 × 64 + 62 = 255 bytes: the longest legal name.
        let longest = [label63, label63, label63, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(try DNSName(longest).wireLength == 255)
        #expect(throws: DNSCodecError.self) { try DNSName(longest + "b") }
    }

    @Test func rejectsBadText() {
        for text in ["", "a..b", ".a", "a b.test", "tab\t.test", "back\\slash.test", "caf\u{e9}.test"] {
            #expect(throws: DNSCodecError.self, "\(text)") { try DNSName(text) }
        }
    }

    @Test func escapesUnprintableBytesInDescription() throws {
        let name = try DNSName(labels: [[0x61, 0x2E, 0x00], Array("test".utf8)])
        #expect(name.description == "a\\046\\000.test.")
    }
}
