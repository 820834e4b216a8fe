import Testing
@testable import EdgeDNS

@Suite struct IPAddressTests {
    @Test func parsesAndPrintsIPv4() {
        #expect(IPv4Address("203.0.113.7")?.bytes == [203, 0, 113, 7])
        #expect(IPv4Address("203.0.113.7")?.description == "203.0.113.7")
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "1..2.3", " 1.2.3.4", "a.b.c.d"] {
            #expect(IPv4Address(bad) == nil, "\(bad)")
        }
    }

    @Test(arguments: [
        ("2001:db8::1", "2001:db8::1"),
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("::ffff:192.0.2.1", "::ffff:c000:201"),
        ("fe80::1:2:3:4", "fe80::1:2:3:4"),
    ])
    func parsesAndPrintsIPv6(text: String, canonical: String) {
        #expect(IPv6Address(text)?.description == canonical)
    }

    @Test func rejectsBadIPv6() {
        for bad in ["", ":", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7", "fe80::1%eth0",
                    "::1.2.3", "1.2.3.4::"] {
            #expect(IPv6Address(bad) == nil, "\(bad)")
        }
    }

    @Test func mappedAddressesUnwrap() {
        let mapped = IPAddress("::ffff:192.0.2.1")
        #expect(mapped?.unmapped == .v4(IPv4Address(192, 0, 2, 1)))
        #expect(IPAddress("2001:db8::1")?.unmapped == IPAddress("2001:db8::1"))
    }

    @Test func hostPortForms() {
        #expect(IPAddress(hostPort: "10.0.0.5:8080") == .v4(IPv4Address(10, 0, 0, 5)))
        #expect(IPAddress(hostPort: "10.0.0.5") == .v4(IPv4Address(10, 0, 0, 5)))
        #expect(IPAddress(hostPort: "[2001:db8::5]:8080") == IPAddress("2001:db8::5"))
        #expect(IPAddress(hostPort: "2001:db8::5") == IPAddress("2001:db8::5"))
        #expect(IPAddress(hostPort: "edge1.example:8080") == nil)
    }

    @Test func prefixesMaskAndContain() throws {
        let prefix = try #require(IPPrefix("10.1.2.3/8"))
        #expect(prefix.description == "10.0.0.0/8")
        #expect(prefix.contains(.v4(IPv4Address(10, 200, 0, 1))))
        #expect(!prefix.contains(.v4(IPv4Address(11, 0, 0, 1))))
        #expect(!prefix.contains(IPAddress("::a00:1") ?? .v4(IPv4Address(0))))
        let v6 = try #require(IPPrefix("2001:db8:abcd::/36"))
        #expect(v6.description == "2001:db8:a000::/36")
        #expect(v6.contains(IPAddress("2001:db8:afff::1") ?? .v4(IPv4Address(0))))
        #expect(!v6.contains(IPAddress("2001:db8:b000::1") ?? .v4(IPv4Address(0))))
        #expect(IPPrefix("192.0.2.1")?.length == 32)
        #expect(IPPrefix("::/0")?.contains(IPAddress("2001:db8::1") ?? .v4(IPv4Address(0))) == true)
        for bad in ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/a", "10.0.0.0/8/8", "/8"] {
            #expect(IPPrefix(bad) == nil, "\(bad)")
        }
    }

    @Test func maskingEdges() {
        let address = IPv6Address(high: .max, low: .max)
        #expect(address.masked(to: 0) == IPv6Address(high: 0, low: 0))
        #expect(address.masked(to: 64) == IPv6Address(high: .max, low: 0))
        #expect(address.masked(to: 65) == IPv6Address(high: .max, low: 1 << 63))
        #expect(address.masked(to: 128) == address)
        #expect(IPv4Address(UInt32.max).masked(to: 0) == IPv4Address(0))
        #expect(IPv4Address(UInt32.max).masked(to: 1) == IPv4Address(0x8000_0000))
    }
}
