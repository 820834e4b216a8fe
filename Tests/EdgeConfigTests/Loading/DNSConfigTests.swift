import EdgeConfig
import Testing

/// `[dns]` and `dns_listen`: the zone, routing knobs, name servers and the geo table.
@Suite struct DNSConfigTests {
    let minimal = ConfigFixtures.minimal

    @Test func theExampleDescribesAZoneAndResponders() throws {
        let config = try ConfigLoader.load(path: ConfigFixtures.exampleConfigPath)
        #expect(config.dns.zone == "cdn.test")
        #expect(config.dns.answers == 2)
        #expect(config.dns.ttl == .seconds(30))
        // Each name server's glue is the address its responder (edge-1, shield-1) listens on.
        #expect(config.dns.nameServers == [.init(name: "ns1.cdn.test", address: "127.0.0.11"),
                                           .init(name: "ns2.cdn.test", address: "127.0.0.21")])
        #expect(try config.node(named: "edge-1").dnsListen?.host == "127.0.0.11")
        #expect(try config.node(named: "shield-1").dnsListen?.host == "127.0.0.21")
        #expect(config.dns.geo.map(\.cidr) == ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"])
        #expect(try config.node(named: "edge-1").dnsListen?.port == 5353)
        #expect(try config.node(named: "edge-2").dnsListen == nil)
    }

    @Test func keysAreRead() throws {
        let text = """
            [dns]
            zone = "CDN.Example."
            ttl = "20s"
            answers = 1
            tie_distance_km = 0
            overload_connections = 50
            default_location = { latitude = 1, longitude = 2, region = "x" }
            [[dns.geo]]
            cidr = "10.0.0.0/8"
            location = { latitude = 3, longitude = 4, region = "y" }

            """ + minimal
        let dns = try ConfigLoader.parse(text: text, path: "edge.conf").dns
        #expect(dns.zone == "cdn.example")
        #expect(dns.ttl == .seconds(20))
        #expect(dns.tieDistanceKm == 0)
        #expect(dns.overloadConnections == 50)
        #expect(dns.defaultLocation.region == "x")
        #expect(dns.geo.first?.location.latitude == 3)
    }

    @Test func aResponderNeedsAZone() throws {
        let error = try #require(ConfigFixtures.error(minimal + "dns_listen = \"127.0.0.1:5353\"\n"))
        #expect(error.description.contains("dns.zone: expected a zone such as \"cdn.test\" in [dns], since node edge-1"))
    }

    @Test func serviceNamesMustBeInTheZone() throws {
        let text = "[cluster]\nservice_names = [\"www.other.test\"]\n[dns]\nzone = \"cdn.test\"\n" + minimal
        let error = try #require(ConfigFixtures.error(text))
        #expect(error.description.contains("cluster.service_names: expected names inside the [dns] zone \"cdn.test\""))
    }

    @Test func badGeoAndServerEntriesAreNamed() throws {
        let geo = "[dns]\nzone = \"cdn.test\"\n[[dns.geo]]\ncidr = \"10.0.0.0/33\"\n"
            + "location = { latitude = 1, longitude = 2, region = \"x\" }\n" + minimal
        #expect(try #require(ConfigFixtures.error(geo)).description.hasPrefix("edge.conf:4: dns.geo[0].cidr: expected an address block"))
        let server = "[dns]\nzone = \"cdn.test\"\n[[dns.name_servers]]\nname = \"ns1.cdn.test\"\naddress = \"ns.example\"\n"
            + minimal
        #expect(try #require(ConfigFixtures.error(server)).description.hasPrefix("edge.conf:5: dns.name_servers[0].address: expected a literal"))
    }

    @Test func dnsListenMayNotClashWithAnotherListener() throws {
        let error = try #require(ConfigFixtures.error("[dns]\nzone = \"cdn.test\"\n" + minimal + "dns_listen = \"127.0.0.1:8081\"\n"))
        #expect(error.description.contains("is already used by node edge-1"))
    }
}
