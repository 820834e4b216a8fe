import EdgeAdmin
import EdgeCache
import EdgeCore
import Testing

@Suite("Dashboard statistics recorder")
struct NodeStatsRecorderTests {
    static func members(_ states: [(String, String)]) -> [NodeStatsDocument.MemberState] {
        states.map { NodeStatsDocument.MemberState(name: $0.0, state: $0.1) }
    }

    @Test func keepsFifteenMinutesAnswersSinceAndRecordsHealthChanges() {
        let recorder = NodeStatsRecorder()
        var urls = HeavyHitters(capacity: 64)
        for index in 0..<100 { urls.offer("/u/\(index % 30)", weight: index) }
        for second in 1...2_000 {
            let state = (1_000...1_009).contains(second) ? "suspect" : "alive"
            recorder.record(sample: TrafficSample(time: second), members: Self.members([("a", "alive"), ("b", state)]),
                            upstreams: [], topURLs: urls, topMisses: HeavyHitters())
        }
        let all = recorder.document(node: "a", time: 2_001, since: nil)
        #expect(all.samples.count == NodeStatsRecorder.sampleCapacity)
        #expect(all.samples.first?.time == 1_101 && all.samples.last?.time == 2_000)
        #expect(all.topURLs.count == NodeStatsRecorder.topLimit)
        #expect(all.members == Self.members([("a", "alive"), ("b", "alive")]))
        #expect(all.healthChanges.map(\.to) == ["alive", "alive", "suspect", "alive"])
        #expect(all.healthChanges.map(\.time) == [1, 1, 1_000, 1_010])

        let recent = recorder.document(node: "a", time: 2_001, since: 1_995)
        #expect(recent.samples.map(\.time) == [1_996, 1_997, 1_998, 1_999, 2_000])
        #expect(recent.healthChanges.isEmpty)
    }

    @Test func purgeLogIsBoundedAndNewestFirst() {
        let recorder = NodeStatsRecorder()
        for index in 0..<120 {
            let command = PurgeCommand(id: "p\(index)", scope: .url("x/\(index)"), mode: .hard, issuedAt: Double(index))
            recorder.recordPurge(PurgeReport(command: command, nodes: [], totalMs: 1))
        }
        let purges = recorder.document(node: "a", time: 0, since: nil).purges
        #expect(purges.count == NodeStatsRecorder.purgeCapacity)
        #expect(purges.first?.id == "p119" && purges.last?.id == "p70")
    }

    @Test func clusterDocumentMergesTopListsOfAnsweringNodes() {
        let a = NodeStatsDocument(node: "a", time: 0, topURLs: [.init(key: "/x", count: 5), .init(key: "/y", count: 1)])
        let b = NodeStatsDocument(node: "b", time: 0, topURLs: [.init(key: "/y", count: 9)])
        let document = ClusterStatsDocument(node: "a", nodes: [
            .init(name: "a", role: "edge", state: "alive", stats: a),
            .init(name: "b", role: "edge", state: "alive", stats: b),
            .init(name: "c", role: "edge", state: "dead", stats: nil, error: "member is dead"),
        ])
        #expect(document.topURLs == [.init(key: "/y", count: 10), .init(key: "/x", count: 5)])
    }
}
