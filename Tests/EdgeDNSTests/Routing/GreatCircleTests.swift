import Testing
@testable import EdgeDNS

@Suite struct GreatCircleTests {
    static let paris = GeoLocation(latitude: 48.8566, longitude: 2.3522, region: "eu-west")
    static let london = GeoLocation(latitude: 51.5074, longitude: -0.1278, region: "eu-north")
    static let newYork = GeoLocation(latitude: 40.7128, longitude: -74.0060, region: "us-east")
    static let tokyo = GeoLocation(latitude: 35.6762, longitude: 139.6503, region: "ap-northeast")

    @Test func knownDistances() {
        // Published great-circle figures: Paris–London ≈ 344 km, Paris–New York ≈ 5,837 km.
        #expect(abs(GreatCircle.distanceKm(Self.paris, Self.london) - 343.5) < 2)
        #expect(abs(GreatCircle.distanceKm(Self.paris, Self.newYork) - 5837) < 10)
        #expect(abs(GreatCircle.distanceKm(Self.newYork, Self.tokyo) - 10_850) < 20)
    }

    @Test func symmetricZeroAndAntipodal() {
        #expect(GreatCircle.distanceKm(Self.paris, Self.paris) == 0)
        #expect(GreatCircle.distanceKm(Self.paris, Self.tokyo) == GreatCircle.distanceKm(Self.tokyo, Self.paris))
        let north = GeoLocation(latitude: 90, longitude: 0)
        let south = GeoLocation(latitude: -90, longitude: 0)
        let half = GreatCircle.distanceKm(north, south)
        #expect(abs(half - .pi * GreatCircle.earthRadiusKm) < 0.001)
        let across = GreatCircle.distanceKm(GeoLocation(latitude: 0, longitude: 0), GeoLocation(latitude: 0, longitude: 180))
        #expect(!across.isNaN && abs(across - half) < 0.001)
    }

    @Test func crossesTheDateLine() {
        let fiji = GeoLocation(latitude: -17.7, longitude: 178)
        let samoa = GeoLocation(latitude: -13.8, longitude: -172)
        // About 1,100 km across the antimeridian, not 38,000 the long way round.
        #expect(GreatCircle.distanceKm(fiji, samoa) < 1300)
    }
}
