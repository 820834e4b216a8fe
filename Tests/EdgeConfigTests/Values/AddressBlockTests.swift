import EdgeConfig
import Testing

@Suite struct AddressBlockTests {
    func block(_ text: String) -> AddressBlock? {
        if case .success(let block) = AddressBlock.parse(text) { return block }
        return nil
    }

    @Test func parsesIPv4AndIPv6RangesAndBareAddresses() {
        #expect(block("127.0.0.1/32")?.description == "127.0.0.1/32")
        #expect(block("127.0.0.1")?.description == "127.0.0.1/32")
        #expect(block("10.0.0.0/8")?.prefixLength == 8)
        #expect(block("0.0.0.0/0")?.description == "0.0.0.0/0")
        #expect(block("::1")?.description == "::1/128")
        #expect(block("fd00::/8")?.description == "fd00::/8")
    }

    @Test func refusesMalformedRanges() {
        for text in ["", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0/8", "localhost", "10.0.0.0/8/8",
                     "10.0.0.0/-1", "10.0.0.0/ 8", "1.2.3.4/0008"] {
            #expect(AddressBlock.parse(text) == .failure(.malformed), "\(text)")
        }
        #expect(AddressBlock.parse("10.1.2.3/8") == .failure(.hostBitsSet(suggestion: "10.0.0.0/8")))
        #expect(AddressBlock.parse("fd00::1/8") == .failure(.hostBitsSet(suggestion: "fd00::/8")))
    }

    @Test func containsChecksThePrefixBits() throws {
        let range = try #require(block("192.168.0.0/23"))
        #expect(range.contains(address: "192.168.0.1"))
        #expect(range.contains(address: "192.168.1.255"))
        #expect(!range.contains(address: "192.168.2.0"))
        #expect(!range.contains(address: "::1"))
        #expect(!range.contains(address: "not an address"))
        #expect(range.contains(address: "::ffff:192.168.1.7"))
        let six = try #require(block("2001:db8::/32"))
        #expect(six.contains(address: "2001:db8:1::5"))
        #expect(!six.contains(address: "2001:db9::5"))
        #expect(!six.contains(address: "192.168.0.1"))
        #expect(try #require(block("0.0.0.0/0")).contains(address: "8.8.8.8"))
    }
}
