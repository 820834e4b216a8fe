import EdgeCluster

/// Builders shared by the tests: nodes named by letter, addresses 10.0.0.x:7946, a hand-set clock.
enum Fixture {
    static func address(_ name: String) -> NodeAddress {
        NodeAddress(host: "10.0.0.\(Int(name.unicodeScalars.first?.value ?? 0) % 250)", port: 7946)
    }

    static func metadata(_ name: String, draining: Bool = false) -> NodeMetadata {
        NodeMetadata(name: name, role: .edge, publicHTTPAddress: "\(address(name).host):8080", latitude: 52.52,
                     longitude: 13.405, region: "eu-central",
                     load: NodeLoad(activeConnections: 3, requestsPerSecond: 12.5, cacheFill: 0.25), draining: draining)
    }

    /// Settings without the periodic gossip timer, so a test sees only the protocol messages it provokes.
    static var quiet: SWIMSettings {
        var settings = SWIMSettings()
        settings.gossipInterval = 0
        settings.reconnectInterval = 0
        settings.antiEntropyInterval = 0
        return settings
    }

    static func alive(_ name: String, incarnation: UInt64 = 0) -> MembershipUpdate {
        MembershipUpdate(member: NodeID(name), incarnation: incarnation,
                         change: .alive(address: address(name), metadata: metadata(name)))
    }

    /// Node `local` that already knows `others` as alive, as after a join.
    static func node(_ local: String, knowing others: [String], settings: SWIMSettings = quiet, seed: UInt64 = 7,
                     now: Double = 0) -> SWIMState {
        var state = SWIMState(settings: settings, address: address(local), metadata: metadata(local), seed: seed,
                              now: now)
        let sender = others.first ?? "zz"
        let reply = SWIMMessage(sender: NodeID(sender), kind: .joinReply, updates: others.map { alive($0) })
        _ = state.receive(reply, from: address(sender), now: now)
        return state
    }
}

extension [SWIMDirective] {
    var sends: [(message: SWIMMessage, to: NodeAddress)] {
        compactMap { if case .send(let message, let to) = $0 { (message, to) } else { nil } }
    }

    var events: [MembershipEvent] {
        compactMap { if case .event(let event) = $0 { event } else { nil } }
    }

    var pings: [(sequence: UInt32, to: NodeAddress)] {
        sends.compactMap { if case .ping(let sequence) = $0.message.kind { (sequence, $0.to) } else { nil } }
    }

    var pingRequests: [(sequence: UInt32, target: NodeID, to: NodeAddress)] {
        sends.compactMap {
            if case .pingRequest(let sequence, let target, _) = $0.message.kind { (sequence, target, $0.to) } else { nil }
        }
    }

    var allUpdates: [MembershipUpdate] { sends.flatMap(\.message.updates) }
}

extension SWIMState {
    /// Ticks from `start` to `end` in `step`s, collecting every directive.
    mutating func run(from start: Double, to end: Double, step: Double = 0.01) -> [SWIMDirective] {
        var out: [SWIMDirective] = []
        var now = start
        while now <= end + 1e-9 {
            out += tick(now: now)
            now += step
        }
        return out
    }

    func state(of name: String) -> MemberState? { member(NodeID(name))?.state }

    /// The name a ping address belongs to (fixtures map names to distinct hosts).
    func name(at address: NodeAddress) -> String? {
        remoteMembers.first { $0.address == address }?.id.name
    }
}

extension SWIMState {
    /// Like `run`, but every probe ping is answered at once by its target, so only the rumours a test injects
    /// change anything.
    mutating func runAnswering(from start: Double, to end: Double, step: Double = 0.01) -> [SWIMDirective] {
        var out: [SWIMDirective] = []
        var now = start
        while now <= end + 1e-9 {
            let directives = tick(now: now)
            out += directives
            for ping in directives.pings {
                guard let name = name(at: ping.to) else { continue }
                out += receive(SWIMMessage(sender: NodeID(name), kind: .ack(sequence: ping.sequence)),
                               from: ping.to, now: now)
            }
            now += step
        }
        return out
    }

    /// Delivers a gossip message carrying `updates` from `sender`.
    mutating func hear(_ updates: [MembershipUpdate], from sender: String = "zz", now: Double) -> [SWIMDirective] {
        receive(SWIMMessage(sender: NodeID(sender), kind: .gossip, updates: updates), from: Fixture.address(sender),
                now: now)
    }
}

extension Fixture {
    static func suspect(_ name: String, incarnation: UInt64 = 0, by suspector: String) -> MembershipUpdate {
        MembershipUpdate(member: NodeID(name), incarnation: incarnation, change: .suspect(by: NodeID(suspector)))
    }

    static func dead(_ name: String, incarnation: UInt64 = 0) -> MembershipUpdate {
        MembershipUpdate(member: NodeID(name), incarnation: incarnation, change: .dead)
    }

    static let tenNodes = ["b", "c", "d", "e", "f", "g", "h", "i", "j"]
}
