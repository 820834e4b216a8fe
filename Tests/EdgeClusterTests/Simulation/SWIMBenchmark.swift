import EdgeCluster
import Foundation
import Testing

/// The full-size simulation behind `bench/swim`. Skipped unless `SWIM_BENCH` is set; see bench/swim/README.md.
/// Prints one `swim-sim ...` line per scenario and, with `SWIM_BENCH_OUT=path`, appends JSON lines there.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["SWIM_BENCH"] != nil))
struct SWIMBenchmark {
    static let environment = ProcessInfo.processInfo.environment
    static let nodes = environment["SWIM_BENCH_NODES"].flatMap(Int.init) ?? 1000
    static let duration = environment["SWIM_BENCH_SECONDS"].flatMap(Double.init) ?? 120
    static let crashCount = 10

    static func scenario(loss: Double, lifeguard: Bool, seed: UInt64 = 1) -> SimulationScenario {
        var scenario = SimulationScenario(nodeCount: nodes)
        scenario.seed = seed
        scenario.duration = duration
        scenario.lossRate = loss
        scenario.settings.lifeguard = lifeguard ? .enabled : .disabled
        // Crashes spread over the first part of the run, each with time to be detected before the end.
        scenario.crashes = (0..<crashCount).map { .init(node: 1 + $0 * (nodes / crashCount), at: 10 + Double($0) * 3) }
        scenario.measureFrom = 5
        return scenario
    }

    static func record(_ report: SimulationReport, label: String) throws {
        print(report.summaryLine(label: label))
        guard let path = environment["SWIM_BENCH_OUT"] else { return }
        var line = try JSONEncoder().encode(report)
        line.append(contentsOf: Array("\n".utf8))
        if let handle = FileHandle(forWritingAtPath: path) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } else {
            try line.write(to: URL(fileURLWithPath: path))
        }
    }

    /// Steady state: no failures, no loss. The floor of protocol traffic, counted after the start-up
    /// anti-entropy pulls and over a span that includes one scaled anti-entropy period per node.
    @Test func idle() throws {
        var scenario = Self.scenario(loss: 0, lifeguard: true)
        scenario.crashes = []
        scenario.duration = 300
        scenario.measureFrom = 30
        try Self.record(try SWIMSimulation(scenario).run(), label: "idle")
    }

    @Test(arguments: [0.0, 0.1, 0.3])
    func crashDetectionAndFalsePositives(loss: Double) throws {
        for lifeguard in [true, false] {
            let report = try SWIMSimulation(Self.scenario(loss: loss, lifeguard: lifeguard)).run()
            try Self.record(report, label: "crash+loss")
            #expect(report.detections.count == Self.crashCount)
        }
    }

    /// 1 % of nodes with a bad local link (50 % loss, up to 1 s extra delay): the case Lifeguard was made for.
    @Test func degradedNodes() throws {
        for lifeguard in [true, false] {
            var scenario = Self.scenario(loss: 0.01, lifeguard: lifeguard)
            let degraded = Set(stride(from: 3, to: Self.nodes, by: 100))
            scenario.degradation = .init(nodes: degraded, lossRate: 0.5, extraDelay: 1.0)
            scenario.crashes = scenario.crashes.filter { !degraded.contains($0.node) }
            let report = try SWIMSimulation(scenario).run()
            try Self.record(report, label: "degraded-1%")
        }
    }
}

