import EdgeCluster
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Real nodes on 127.0.0.1 ephemeral ports, with timings shortened so a test takes seconds.
@Suite struct GossipNodeTests {
    /// Probe every 200 ms; suspicion 0.6 s minimum with three members.
    static var fast: SWIMSettings {
        var settings = SWIMSettings()
        settings.probeInterval = 0.2
        settings.probeTimeout = 0.1
        settings.gossipInterval = 0.05
        settings.joinRetryInterval = 0.2
        settings.suspicionMultiplier = 3
        return settings
    }

    static let secret = "edge-test-cluster-key"

    static func node(_ name: String, seeds: [NodeAddress], secret: String = secret, clusterID: String = "edge")
        async throws -> GossipNode {
        let node = try GossipNode(settings: fast, clusterID: clusterID, clusterKey: try ClusterKey(secret: secret),
                                  local: Fixture.metadata(name), bindPort: 0, seeds: seeds)
        try await node.start()
        return node
    }

    /// Polls `condition` every 20 ms; returns the seconds it took, or nil after `timeout`.
    static func waitUntil(timeout: Double, _ condition: () async -> Bool) async -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            if await condition() { return Date().timeIntervalSince(start) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    static func state(_ node: GossipNode, of name: String) -> MemberState? {
        node.healthView.member(NodeID(name))?.state
    }

    @Test func threeNodesConvergeDetectACrashAndSeeALeave() async throws {
        let a = try await Self.node("a", seeds: [])
        let seed = try #require(await a.boundAddress)
        let b = try await Self.node("b", seeds: [seed])
        var c = try await Self.node("c", seeds: [seed])
        let all = [a, b, c]

        let converged = await Self.waitUntil(timeout: 5) {
            all.allSatisfy { node in ["a", "b", "c"].allSatisfy { Self.state(node, of: $0) == .alive } }
        }
        #expect(converged != nil, "three nodes see each other alive")
        #expect(b.healthView.member(NodeID("c"))?.metadata.region == "eu-central", "metadata travels with gossip")

        // Crash: c goes silent. The others must declare it dead within probe + suspicion time (about 1–2 s).
        await c.stop()
        let detected = await Self.waitUntil(timeout: 6) {
            Self.state(a, of: "c") == .dead && Self.state(b, of: "c") == .dead
        }
        #expect(detected != nil, "a and b mark the stopped node dead")
        print("gossip-udp: 3 nodes, probe 0.2 s, crash seen dead by both peers after",
              detected.map { String(format: "%.2f s", $0) } ?? "never")

        // Restart on a new port: it refutes its death and is alive again everywhere.
        c = try await Self.node("c", seeds: [seed])
        let rejoined = await Self.waitUntil(timeout: 5) {
            Self.state(a, of: "c") == .alive && Self.state(b, of: "c") == .alive && Self.state(c, of: "b") == .alive
        }
        #expect(rejoined != nil, "a restarted node rejoins as alive")
        #expect((a.healthView.member(NodeID("c"))?.incarnation ?? 0) > 0, "by outbidding its death")

        // Graceful leave: marked left at once, without suspicion.
        await b.leave()
        let left = await Self.waitUntil(timeout: 1) {
            Self.state(a, of: "b") == .left && Self.state(c, of: "b") == .left
        }
        #expect(left != nil, "peers mark a leaving node left at once")
        print("gossip-udp: leave seen by both peers after", left.map { String(format: "%.3f s", $0) } ?? "never")
        await a.stop()
        await c.stop()
    }

    @Test func aNodeWithTheWrongKeyNeverJoins() async throws {
        let a = try await Self.node("a", seeds: [])
        let seed = try #require(await a.boundAddress)
        let intruder = try await Self.node("x", seeds: [seed], secret: "some-other-cluster-key")
        let stranger = try await Self.node("y", seeds: [seed], clusterID: "staging")
        try await Task.sleep(for: .milliseconds(1200))
        #expect(a.healthView.members().map(\.id) == [NodeID("a")])
        #expect(intruder.healthView.members().map(\.id) == [NodeID("x")])
        #expect(stranger.healthView.members().map(\.id) == [NodeID("y")])
        let drops = a.healthView.droppedPackets()
        #expect((drops[.badMAC] ?? 0) > 0)
        #expect((drops[.wrongCluster] ?? 0) > 0)
        for node in [a, intruder, stranger] { await node.stop() }
    }

    @Test func badDatagramsAreCountedAndChangeNothing() async throws {
        let a = try await Self.node("a", seeds: [])
        let seed = try #require(await a.boundAddress)
        let b = try await Self.node("b", seeds: [seed])
        let joined = await Self.waitUntil(timeout: 5) { Self.state(a, of: "b") == .alive }
        #expect(joined != nil)

        let codec = SWIMCodec(clusterID: "edge", key: try ClusterKey(secret: Self.secret))
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let harmless = try codec.encode(SWIMMessage(sender: NodeID("z"), kind: .gossip), to: seed, timestampMillis: now)
        let accusation = SWIMMessage(sender: NodeID("z"), kind: .gossip,
                                     updates: [MembershipUpdate(member: NodeID("b"), incarnation: 50, change: .dead)])
        var wrongMAC = try codec.encode(accusation, to: seed, timestampMillis: now)
        wrongMAC[wrongMAC.count - 1] ^= 0xFF
        var unknownVersion = try codec.encode(accusation, to: seed, timestampMillis: now)
        unknownVersion[0] = 9
        // The crafted cases go first: a burst of junk behind them may overflow the socket buffer under load.
        var datagrams: [[UInt8]] = [
            [], Array(harmless.prefix(20)), wrongMAC, unknownVersion,
            try codec.encode(accusation, to: seed, timestampMillis: now - 3_600_000),  // an hour-old "dead": stale
            harmless, harmless,  // the second copy is a replay
        ]
        var rng = SeededRandom(seed: 99)
        datagrams += (0..<100).map { _ in
            (0..<Int(rng.next() % 1400)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
        try Self.send(datagrams, to: seed.port)

        let counted = await Self.waitUntil(timeout: 5) {
            let drops = a.healthView.droppedPackets()
            return [.truncated, .badMAC, .unsupportedVersion, .stale, .replayed].allSatisfy { (drops[$0] ?? 0) > 0 }
        }
        #expect(counted != nil, "\(a.healthView.droppedPackets())")
        try await Task.sleep(for: .milliseconds(300))
        #expect(Self.state(a, of: "b") == .alive)
        #expect(a.healthView.members().map(\.id) == [NodeID("a"), NodeID("b")])
        await a.stop()
        await b.stop()
    }

    /// A real packet captured on its way to one address (a plain socket standing in for node A) and replayed
    /// to node B is refused: each packet names its recipient inside the authenticated envelope.
    @Test func aPacketCapturedOnItsWayToAnotherNodeIsRejected() async throws {
        let captor = try UDPCaptor()
        let sender = try await Self.node("c", seeds: [NodeAddress(host: "127.0.0.1", port: captor.port)])
        let captured = try captor.receive(timeout: 3)
        await sender.stop()
        let b = try await Self.node("b", seeds: [])
        let bAddress = try #require(await b.boundAddress)
        try Self.send([captured], to: bAddress.port)
        try await Task.sleep(for: .milliseconds(800))
        #expect(b.healthView.members().map(\.id) == [NodeID("b")], "b must not learn c from a packet for another node")
        #expect((b.healthView.droppedPackets()[.wrongRecipient] ?? 0) == 1, "\(b.healthView.droppedPackets())")
        await b.stop()
    }

    @Test func rejectsBadConfiguration() throws {
        var settings = SWIMSettings()
        settings.probeTimeout = 5
        #expect(throws: GossipNodeError.self) {
            try GossipNode(settings: settings, clusterKey: try ClusterKey(secret: Self.secret),
                           local: Fixture.metadata("a"), bindPort: 0, seeds: [])
        }
        #expect(throws: GossipNodeError.invalidMetadata("name is empty")) {
            try GossipNode(clusterKey: try ClusterKey(secret: Self.secret), local: NodeMetadata(name: ""),
                           bindPort: 0, seeds: [])
        }
    }

    /// Sends raw datagrams to 127.0.0.1:`port` from a plain socket, bypassing the codec entirely.
    static func send(_ datagrams: [[UInt8]], to port: UInt16) throws {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_DGRAM, 0)
        #endif
        guard descriptor >= 0 else { throw RawSocketError() }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        for datagram in datagrams {
            let sent = datagram.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0,
                               socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            guard sent == datagram.count else { throw RawSocketError() }
            usleep(200)
        }
    }

    struct RawSocketError: Error {}
}

/// A plain UDP socket on 127.0.0.1 that records what is sent to it: a wire tap standing in for a node.
final class UDPCaptor {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { throw GossipNodeTests.RawSocketError() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0 else {
            close(fd)
            throw GossipNodeTests.RawSocketError()
        }
        descriptor = fd
        port = UInt16(bigEndian: local.sin_port)
    }

    deinit { close(descriptor) }

    /// The next datagram, waiting at most `timeout` seconds.
    func receive(timeout: Double) throws -> [UInt8] {
        var limit = timeval(tv_sec: Int(timeout), tv_usec: suseconds_t((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard received > 0 else { throw GossipNodeTests.RawSocketError() }
        return Array(buffer.prefix(received))
    }
}
