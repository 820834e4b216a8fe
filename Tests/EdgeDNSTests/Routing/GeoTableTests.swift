import Testing
@testable import EdgeDNS

@Suite struct GeoTableTests {
    static let europe = GeoLocation(latitude: 48.8566, longitude: 2.3522, region: "eu")
    static let london = GeoLocation(latitude: 51.5074, longitude: -0.1278, region: "eu-london")
    static let us = GeoLocation(latitude: 40.7128, longitude: -74.0060, region: "us")
    static let asia = GeoLocation(latitude: 35.6762, longitude: 139.6503, region: "asia")
    static let fallback = GeoLocation(latitude: 0, longitude: 0, region: "default")

    static func entry(_ prefix: String, _ location: GeoLocation) -> GeoTableEntry {
        guard let parsed = IPPrefix(prefix) else {
            Issue.record("bad prefix \(prefix) in the fixture")
            return GeoTableEntry(prefix: IPPrefix(address: .v4(IPv4Address(0)), length: 32), location: location)
        }
        return GeoTableEntry(prefix: parsed, location: location)
    }

    static let table = GeoTable(entries: [
        entry("10.0.0.0/8", europe),
        entry("10.1.0.0/16", london),
        entry("198.51.100.0/24", us),
        entry("2001:db8::/32", asia),
        entry("2001:db8:e0::/48", europe),
    ], defaultLocation: fallback)

    func lookup(_ text: String) -> GeoMatch {
        Self.table.lookup(IPAddress(text) ?? .v4(IPv4Address(0)))
    }

    @Test func longestIPv4PrefixWins() {
        #expect(lookup("10.1.2.3").location == Self.london)
        #expect(lookup("10.1.2.3").prefix == IPPrefix("10.1.0.0/16"))
        #expect(lookup("10.2.0.1").location == Self.europe)
        #expect(lookup("10.2.0.1").prefixLength == 8)
        #expect(lookup("198.51.100.200").location == Self.us)
    }

    @Test func longestIPv6PrefixWins() {
        #expect(lookup("2001:db8:e0::1").location == Self.europe)
        #expect(lookup("2001:db8:e0::1").prefixLength == 48)
        #expect(lookup("2001:db8:ffff::1").location == Self.asia)
        #expect(lookup("2001:db9::1").isDefault)
    }

    @Test func defaultForUnknownAndMappedAsIPv4() {
        let unknown = lookup("192.0.2.1")
        #expect(unknown.location == Self.fallback && unknown.isDefault && unknown.prefixLength == 0)
        #expect(lookup("::ffff:198.51.100.9").location == Self.us)
    }

    /// The scope tells resolvers for how many leading bits an answer holds.
    @Test func scopeIsTheMatchedLengthUnlessAMoreSpecificBlockIsInside() {
        #expect(lookup("198.51.100.9").scopePrefixLength == 24)
        #expect(lookup("10.1.2.3").scopePrefixLength == 16)
        // 10.0.0.0/8 contains 10.1.0.0/16, so its answer holds only for this exact address.
        #expect(lookup("10.2.0.1").scopePrefixLength == 32)
        #expect(lookup("2001:db8:ffff::1").scopePrefixLength == 128)
        #expect(lookup("2001:db8:e0::1").scopePrefixLength == 48)
        // The default holds for everything only when no block of the family exists.
        #expect(lookup("192.0.2.1").scopePrefixLength == 32)
        let v4Only = GeoTable(entries: [Self.entry("10.0.0.0/8", Self.europe)], defaultLocation: Self.fallback)
        #expect(v4Only.lookup(IPAddress("2001:db8::1") ?? .v4(IPv4Address(0))).scopePrefixLength == 0)
    }

    @Test func laterEntryForTheSameBlockWins() {
        let table = GeoTable(entries: [Self.entry("10.0.0.0/8", Self.europe), Self.entry("10.0.0.0/8", Self.us)],
                             defaultLocation: Self.fallback)
        #expect(table.lookup(.v4(IPv4Address(10, 0, 0, 1))).location == Self.us)
    }

    @Test func emptyTableIsAllDefault() {
        let table = GeoTable(entries: [], defaultLocation: Self.fallback)
        #expect(table.lookup(.v4(IPv4Address(8, 8, 8, 8))).location == Self.fallback)
    }
}
