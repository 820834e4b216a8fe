import Foundation

/// A deterministic discrete-event simulation of N `SWIMState` nodes on a lossy, delayed, partitionable
/// network, passing `SWIMMessage` values directly (sizes are the codec's exact encoded sizes). It measures
/// detection time, false positives and protocol load.
public struct SWIMSimulation: Sendable {
    public let scenario: SimulationScenario

    public init(_ scenario: SimulationScenario) throws {
        guard scenario.nodeCount >= 2, scenario.nodeCount <= 1 << 20 else {
            throw SimulationError(reason: "nodeCount must be 2…1048576")
        }
        guard scenario.duration > 0, scenario.measureFrom < scenario.duration else {
            throw SimulationError(reason: "duration must be positive and after measureFrom")
        }
        guard (0...1).contains(scenario.lossRate), scenario.minDelay >= 0, scenario.maxDelay >= scenario.minDelay else {
            throw SimulationError(reason: "loss must be 0…1 and 0 ≤ minDelay ≤ maxDelay")
        }
        guard scenario.crashes.allSatisfy({ (0..<scenario.nodeCount).contains($0.node) }) else {
            throw SimulationError(reason: "a crash names a node that does not exist")
        }
        do {
            try scenario.settings.validate()
        } catch {
            throw SimulationError(reason: error.description)
        }
        self.scenario = scenario
    }

    public static func name(of node: Int) -> String { String(format: "edge-%04d", node) }

    public static func address(of node: Int) -> NodeAddress {
        NodeAddress(host: "10.\(node >> 16 & 255).\(node >> 8 & 255).\(node & 255)", port: 7946)
    }

    public func run() -> SimulationReport {
        var world = SimulationWorld(scenario)
        return world.run()
    }
}

/// The mutable state of one run.
struct SimulationWorld {
    private struct SuspicionEpisode: Hashable {
        let subject: Int
        let incarnation: UInt64
    }

    private enum Event {
        case deliver(SWIMMessage, from: NodeAddress, to: Int)
        case tick(Int)
        case crash(Int)
        case join(Int)
    }

    private let scenario: SimulationScenario
    private var nodes: [SWIMState] = []
    private var indexOfAddress: [NodeAddress: Int] = [:]
    private var indexOfID: [NodeID: Int] = [:]
    private var crashedAt: [Double]
    private var scheduledTick: [Double]
    private var started: [Bool]
    private var queue = EventQueue<Event>()
    private var network: SeededRandom
    private var messages = 0
    private var bytes = 0
    private var falseSuspicions = 0
    private var falseSuspicionEpisodes = Set<SuspicionEpisode>()
    private var falseDeaths = 0
    private var falselyDead = Set<Int>()
    private var firstSuspected: [Int: Double] = [:]
    private var deadSeen: [Int: [Int: Double]] = [:]
    private var peakLocalHealth = 0
    private var trace: [String] = []

    init(_ scenario: SimulationScenario) {
        self.scenario = scenario
        let n = scenario.nodeCount
        crashedAt = Array(repeating: .infinity, count: n)
        scheduledTick = Array(repeating: .infinity, count: n)
        started = Array(repeating: false, count: n)
        network = SeededRandom(seed: scenario.seed ^ 0x5EED_0F_4E7)
        for i in 0..<n {
            let address = SWIMSimulation.address(of: i)
            let metadata = NodeMetadata(
                name: SWIMSimulation.name(of: i), role: i % 10 == 0 ? .shield : .edge,
                publicHTTPAddress: "\(address.host):8080", latitude: Double(i % 180) - 90,
                longitude: Double(i % 360) - 180, region: "region-\(i % 8)",
                load: NodeLoad(activeConnections: 120, requestsPerSecond: 850.5, cacheFill: 0.62))
            nodes.append(SWIMState(settings: scenario.settings, address: address, metadata: metadata,
                                   seed: scenario.seed &* 0x9E37_79B9 &+ UInt64(i), now: 0))
            indexOfAddress[address] = i
            indexOfID[NodeID(metadata.name)] = i
        }
    }

    mutating func run() -> SimulationReport {
        let clock = ContinuousClock.now
        bootstrap()
        for crash in scenario.crashes { queue.push(.crash(crash.node), at: crash.at) }
        while let (time, event) = queue.pop(), time <= scenario.duration {
            handle(event, at: time)
        }
        let elapsed = ContinuousClock.now - clock
        return report(runSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private mutating func bootstrap() {
        switch scenario.bootstrap {
        case .fullMembership:
            let records = nodes.map { MembershipUpdate.alive($0.local) }
            for i in nodes.indices {
                let sender = i == 0 ? 1 : 0
                for start in stride(from: 0, to: records.count, by: 200) {
                    let chunk = Array(records[start..<min(start + 200, records.count)])
                    let message = SWIMMessage(sender: nodes[sender].local.id, kind: .joinReply, updates: chunk)
                    _ = nodes[i].receive(message, from: nodes[sender].local.address, now: 0)
                }
                start(i, at: 0)
            }
        case .joinThroughSeed(let spacing):
            start(0, at: 0)
            for i in 1..<nodes.count { queue.push(.join(i), at: Double(i) * spacing) }
        }
    }

    private mutating func start(_ node: Int, at time: Double) {
        started[node] = true
        reschedule(node, at: time)
    }

    private mutating func handle(_ event: Event, at time: Double) {
        switch event {
        case .deliver(let message, let source, let node):
            guard crashedAt[node] > time, started[node] else { return }
            let directives = nodes[node].receive(message, from: source, now: time)
            carryOut(directives, from: node, at: time)
            reschedule(node, at: time)
        case .tick(let node):
            guard scheduledTick[node] == time, crashedAt[node] > time else { return }
            scheduledTick[node] = .infinity
            carryOut(nodes[node].tick(now: time), from: node, at: time)
            peakLocalHealth = max(peakLocalHealth, nodes[node].localHealth)
            reschedule(node, at: time + 0.000_1)
        case .crash(let node):
            crashedAt[node] = min(crashedAt[node], time)
        case .join(let node):
            started[node] = true
            carryOut(nodes[node].join(seeds: [SWIMSimulation.address(of: 0)], now: time), from: node, at: time)
            reschedule(node, at: time)
        }
    }

    private mutating func reschedule(_ node: Int, at earliest: Double) {
        let deadline = max(nodes[node].nextDeadline, earliest)
        guard deadline.isFinite, deadline < scheduledTick[node] else { return }
        scheduledTick[node] = deadline
        queue.push(.tick(node), at: deadline)
    }

    private mutating func carryOut(_ directives: [SWIMDirective], from node: Int, at time: Double) {
        for directive in directives {
            switch directive {
            case .send(let message, let address):
                if time >= scenario.measureFrom {
                    messages += 1
                    bytes += WireSize.packet(message)
                }
                guard let target = indexOfAddress[address], let delay = transit(from: node, to: target, at: time)
                else { continue }
                queue.push(.deliver(message, from: nodes[node].local.address, to: target), at: time + delay)
            case .event(let event):
                record(event, observer: node, at: time)
            }
        }
    }

    /// One-way delay of a datagram, or nil when the network loses it.
    private mutating func transit(from source: Int, to target: Int, at time: Double) -> Double? {
        for partition in scenario.partitions where partition.start <= time && time < partition.end {
            if partition.isolated.contains(source) != partition.isolated.contains(target) { return nil }
        }
        var delivered = 1 - scenario.lossRate
        var delay = scenario.minDelay + (scenario.maxDelay - scenario.minDelay) * network.nextUnit()
        if let degradation = scenario.degradation {
            for end in [source, target] where degradation.nodes.contains(end) {
                delivered *= 1 - degradation.lossRate
                delay += degradation.extraDelay * network.nextUnit()
            }
        }
        return network.nextUnit() < delivered ? delay : nil
    }

    private mutating func record(_ event: MembershipEvent, observer: Int, at time: Double) {
        guard case .stateChanged(let member, _) = event, let subject = indexOfID[member.id] else { return }
        let crashed = crashedAt[subject] <= time
        if scenario.traceNodes.contains(subject) {
            trace.append(String(format: "%.3f %d %d %@ %llu", time, observer, subject, member.state.description,
                                member.incarnation))
        }
        switch member.state {
        case .suspect:
            if crashed {
                if firstSuspected[subject] == nil { firstSuspected[subject] = time }
            } else {
                falseSuspicions += 1
                falseSuspicionEpisodes.insert(SuspicionEpisode(subject: subject, incarnation: member.incarnation))
            }
        case .dead:
            if crashed {
                if deadSeen[subject, default: [:]][observer] == nil { deadSeen[subject, default: [:]][observer] = time }
            } else {
                falseDeaths += 1
                falselyDead.insert(subject)
            }
        case .alive, .left:
            break
        }
    }

    private func report(runSeconds: Double) -> SimulationReport {
        let end = scenario.duration
        let survivors = nodes.indices.filter { crashedAt[$0] > end && started[$0] }
        let detections = scenario.crashes.filter { $0.at < end }.map { crash -> SimulationReport.Detection in
            let seen = deadSeen[crash.node] ?? [:]
            let observers = survivors.filter { $0 != crash.node }
            let times = observers.compactMap { seen[$0] }
            let missing = observers.count - times.count
            return SimulationReport.Detection(
                node: crash.node, crashedAt: crash.at,
                firstSuspectedAfter: firstSuspected[crash.node].map { $0 - crash.at },
                firstDeadAfter: seen.values.min().map { $0 - crash.at },
                allDeadAfter: missing == 0 ? times.max().map { $0 - crash.at } : nil, missing: missing)
        }
        var unconverged = 0
        for observer in survivors {
            for subject in survivors where subject != observer
                && !(nodes[observer].member(nodes[subject].local.id)?.state.isActive ?? false) {
                unconverged += 1
            }
        }
        let degraded = scenario.degradation?.nodes ?? []
        let seconds = scenario.duration - scenario.measureFrom
        let perNode = Double(scenario.nodeCount) * seconds
        return SimulationReport(
            nodeCount: scenario.nodeCount, duration: scenario.duration, lossRate: scenario.lossRate,
            lifeguard: scenario.settings.lifeguard != .disabled, detections: detections,
            falseSuspicionEvents: falseSuspicions, falseSuspicionEpisodes: falseSuspicionEpisodes.count,
            falseDeathObservations: falseDeaths,
            falselyDeadMembers: falselyDead.count, falselyDeadNodes: falselyDead.sorted(), trace: trace,
            falselyDeadHealthyMembers: falselyDead.subtracting(degraded).count,
            messagesSent: messages, bytesSent: bytes, messagesPerNodePerSecond: Double(messages) / perNode,
            bytesPerNodePerSecond: Double(bytes) / perNode, unconvergedPairs: unconverged,
            peakLocalHealth: peakLocalHealth, runSeconds: runSeconds)
    }
}
