import EdgeCluster
import Testing

/// The in-process simulator at test size (tens of nodes, tens of simulated seconds, a few seconds in debug).
@Suite struct SimulationTests {
    static func crashScenario(nodes: Int = 64, seed: UInt64 = 11) -> SimulationScenario {
        var scenario = SimulationScenario(nodeCount: nodes)
        scenario.seed = seed
        scenario.duration = 45
        scenario.crashes = [.init(node: 5, at: 5), .init(node: 17, at: 8), .init(node: 40, at: 12)]
        return scenario
    }

    @Test func everyLiveNodeSeesACrashAsDeadAndNoOneElse() throws {
        let report = try SWIMSimulation(Self.crashScenario()).run()
        #expect(report.detections.count == 3)
        #expect(report.undetected == 0)
        // 64 members: suspicion at least 4 · log10 64 ≈ 7.2 s, at most 43 s without confirmations.
        let worst = try #require(report.detectionWorst)
        #expect(worst > 7.2 && worst < 25, "\(report.summaryLine(label: "test"))")
        #expect(report.falseSuspicionEvents == 0)
        #expect(report.falselyDeadMembers == 0)
        #expect(report.unconvergedPairs == 0)
        #expect(report.messagesPerNodePerSecond > 1 && report.messagesPerNodePerSecond < 20)
        #expect(report.bytesPerNodePerSecond > 50)
    }

    /// The issue's five-node loopback cluster, with the LAN defaults: suspicion 4 s (two confirmations) to 24 s
    /// (none), one probe round is four probes, so every survivor sees a crash within about 30 s at the very
    /// worst and typically within 10 s.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func fiveNodesWithLANDefaults(seed: UInt64) throws {
        var scenario = SimulationScenario(nodeCount: 5)
        scenario.seed = seed
        scenario.duration = 60
        scenario.crashes = [.init(node: 4, at: 10)]
        let report = try SWIMSimulation(scenario).run()
        let detection = try #require(report.detectionWorst)
        print(String(format: "swim-sim five-node seed=%llu crash seen dead by all after %.2f s", seed, detection))
        #expect(detection < 30)
        #expect(report.falselyDeadMembers == 0)
    }

    @Test func sameSeedSameReport() throws {
        var first = try SWIMSimulation(Self.crashScenario(nodes: 48)).run()
        var second = try SWIMSimulation(Self.crashScenario(nodes: 48)).run()
        first.runSeconds = 0
        second.runSeconds = 0
        #expect(first == second)
        var other = try SWIMSimulation(Self.crashScenario(nodes: 48, seed: 12)).run()
        other.runSeconds = 0
        #expect(other != first)
    }

    @Test func nodesJoiningThroughOneSeedConverge() throws {
        var scenario = SimulationScenario(nodeCount: 40)
        scenario.bootstrap = .joinThroughSeed(spacing: 0.1)
        scenario.duration = 40
        let report = try SWIMSimulation(scenario).run()
        #expect(report.unconvergedPairs == 0)
        #expect(report.falselyDeadMembers == 0)
    }

    @Test func aHealedPartitionMergesAgain() throws {
        var scenario = SimulationScenario(nodeCount: 30)
        scenario.partitions = [.init(start: 5, end: 40, isolated: Set(0..<10))]
        scenario.duration = 100
        let report = try SWIMSimulation(scenario).run()
        #expect(report.falselyDeadMembers == 30, "each side declares the other dead while cut off")
        #expect(report.unconvergedPairs == 0, "reconnection probes merge the halves after the cut")
    }

    @Test func lossyNetworkStillDetectsCrashes() throws {
        var scenario = Self.crashScenario(nodes: 48)
        scenario.lossRate = 0.1
        let report = try SWIMSimulation(scenario).run()
        #expect(report.undetected == 0)
        #expect(report.falselyDeadMembers == 0, "\(report.summaryLine(label: "loss"))")
    }

    @Test func rejectsImpossibleScenarios() {
        #expect(throws: SimulationError.self) { try SWIMSimulation(SimulationScenario(nodeCount: 1)) }
        var badCrash = SimulationScenario(nodeCount: 5)
        badCrash.crashes = [.init(node: 9, at: 1)]
        #expect(throws: SimulationError.self) { try SWIMSimulation(badCrash) }
        var badLoss = SimulationScenario(nodeCount: 5)
        badLoss.lossRate = 2
        #expect(throws: SimulationError.self) { try SWIMSimulation(badLoss) }
    }
}
