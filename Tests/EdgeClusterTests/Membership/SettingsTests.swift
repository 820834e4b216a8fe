import EdgeCluster
import Testing

@Suite struct SettingsTests {
    @Test func lanDefaults() throws {
        let settings = SWIMSettings.lan
        #expect(settings.probeInterval == 1)
        #expect(settings.probeTimeout == 0.5)
        #expect(settings.indirectProbeCount == 3)
        #expect(settings.suspicionMultiplier == 4)
        #expect(settings.retransmitMultiplier == 4)
        #expect(settings.maxPacketSize == 1400)
        #expect(settings.lifeguard == .enabled)
        try settings.validate()
    }

    /// memberlist: min = mult · max(1, log10 n) · interval, max = 6 · min.
    @Test func suspicionTimeoutsScaleWithLogN() {
        let settings = SWIMSettings()
        let small = settings.suspicionTimeouts(memberCount: 5)
        #expect(small.min == 4 && small.max == 24)
        let large = settings.suspicionTimeouts(memberCount: 1000)
        #expect(abs(large.min - 12) < 1e-9 && abs(large.max - 72) < 1e-9)
        var plain = settings
        plain.lifeguard = .disabled
        #expect(plain.suspicionTimeouts(memberCount: 1000).max == plain.suspicionTimeouts(memberCount: 1000).min)
        #expect(settings.expectedSuspicionConfirmations(memberCount: 3) == 0, "too few members to confirm")
    }

    @Test func validationNamesTheBadField() {
        func field(_ change: (inout SWIMSettings) -> Void) -> String? {
            var settings = SWIMSettings()
            change(&settings)
            do {
                try settings.validate()
                return nil
            } catch {
                return error.field
            }
        }
        #expect(field { $0.probeTimeout = 1 } == "probeTimeout")
        #expect(field { $0.probeInterval = .nan } == "probeInterval")
        #expect(field { $0.probeInterval = 0 } == "probeInterval")
        #expect(field { $0.indirectProbeCount = -1 } == "indirectProbeCount")
        #expect(field { $0.suspicionMultiplier = 0 } == "suspicionMultiplier")
        #expect(field { $0.maxPacketSize = 9000 } == "maxPacketSize")
        #expect(field { $0.gossipInterval = -1 } == "gossipInterval")
        #expect(field { $0.lifeguard.maxLocalHealth = 100 } == "lifeguard.maxLocalHealth")
        #expect(field { $0.probeInterval = 0.2; $0.probeTimeout = 0.1 } == nil)
    }

    @Test func addressesParseFromConfigText() {
        #expect(NodeAddress(parsing: "10.0.0.1:7946") == NodeAddress(host: "10.0.0.1", port: 7946))
        #expect(NodeAddress(parsing: "[::1]:7946") == NodeAddress(host: "::1", port: 7946))
        #expect(NodeAddress(parsing: "edge-1.internal:7000")?.host == "edge-1.internal")
        for bad in ["", "10.0.0.1", "10.0.0.1:", ":7946", "10.0.0.1:70000", "10.0.0.1:0", "::1:7946", "[::1]7946", "[::1"] {
            #expect(NodeAddress(parsing: bad) == nil, "\(bad)")
        }
        #expect(NodeAddress(host: "::1", port: 1).description == "[::1]:1")
    }

    @Test func metadataIsStoredInWireUnits() {
        var metadata = NodeMetadata(name: "a", latitude: 95, longitude: -200.5,
                                    load: NodeLoad(activeConnections: 1, requestsPerSecond: 10.04, cacheFill: 1.7))
        #expect(metadata.latitude == 90 && metadata.longitude == -180, "clamped")
        #expect(metadata.load.requestsPerSecond == 10)
        #expect(metadata.load.cacheFill == 1)
        metadata.latitude = .nan
        #expect(metadata.latitude == 0)
        #expect(metadata.problems().isEmpty)
        #expect(NodeMetadata(name: "").problems() == ["name is empty"])
        #expect(NodeMetadata(name: "a", region: String(repeating: "x", count: 300)).problems().count == 1)
    }

    @Test func rolesUseConfigSpelling() {
        #expect(NodeRole(configName: "origin-facing") == .originFacing)
        #expect(NodeRole(configName: "shield") == .shield)
        #expect(NodeRole(configName: "cache") == nil)
        #expect(NodeRole.edge.description == "edge")
    }
}
