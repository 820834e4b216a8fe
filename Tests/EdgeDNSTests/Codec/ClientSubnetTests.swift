import Testing
@testable import EdgeDNS

@Suite struct ClientSubnetTests {
    @Test func acceptsWellFormedOptions() throws {
        let v4 = try ClientSubnet(family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, addressBytes: [203, 0, 113])
        #expect(v4.prefix == IPPrefix("203.0.113.0/24"))
        #expect(v4.description == "203.0.113.0/24/0")
        let odd = try ClientSubnet(family: 1, sourcePrefixLength: 23, scopePrefixLength: 0, addressBytes: [203, 0, 112])
        #expect(odd.prefix == IPPrefix("203.0.112.0/23"))
        let v6 = try ClientSubnet(family: 2, sourcePrefixLength: 56, scopePrefixLength: 0,
                                  addressBytes: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0x12])
        #expect(v6.prefix == IPPrefix("2001:db8:0:1200::/56"))
        let optOut = try ClientSubnet(family: 1, sourcePrefixLength: 0, scopePrefixLength: 0, addressBytes: [])
        #expect(optOut.prefix.length == 0)
    }

    /// RFC 7871 §6: unknown family, prefix longer than the family, wrong address length, bits set past the
    /// source prefix.
    @Test(arguments: [
        (UInt16(3), UInt8(24), [UInt8(203), 0, 113]),
        (1, 33, [1, 2, 3, 4, 5]),
        (2, 129, Array(repeating: UInt8(0), count: 17)),
        (1, 24, [203, 0, 113, 0]),
        (1, 24, [203, 0]),
        (1, 23, [203, 0, 113]),
        (1, 0, [0]),
    ])
    func rejectsMalformedOptions(family: UInt16, source: UInt8, address: [UInt8]) {
        #expect(throws: DNSCodecError.self) {
            try ClientSubnet(family: family, sourcePrefixLength: source, scopePrefixLength: 0, addressBytes: address)
        }
    }

    @Test func echoKeepsSourceAndSetsScope() throws {
        let query = try ClientSubnet(family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, addressBytes: [203, 0, 113])
        let echo = query.withScope(16)
        #expect(echo.sourcePrefixLength == 24)
        #expect(echo.scopePrefixLength == 16)
        #expect(echo.addressBytes == query.addressBytes)
        #expect(query.withScope(200).scopePrefixLength == 32)
    }

    @Test func fromPrefixTruncatesAddress() throws {
        let prefix = try #require(IPPrefix("198.51.100.77/20"))
        let subnet = ClientSubnet(prefix: prefix)
        #expect(subnet.addressBytes == [198, 51, 96])
        #expect(subnet.sourcePrefixLength == 20)
    }
}
