import EdgeCluster
import Foundation
import Testing

@Suite("The /members JSON document: one Codable type for writer and reader")
struct MembersDocumentTests {
    @Test("what the node writes, the readers decode field for field")
    func roundTrip() throws {
        let a = Member(id: NodeID("a"), address: Fixture.address("a"), incarnation: 4, state: .alive,
                       metadata: Fixture.metadata("a", draining: true), lastHeard: 1_700_000_000, stateChangedAt: 0)
        let b = Member(id: NodeID("b"), address: Fixture.address("b"), incarnation: 1, state: .suspect,
                       metadata: Fixture.metadata("b"), lastHeard: 1_700_000_001, stateChangedAt: 0)
        let text = MembersDocument.encode([a, b], local: NodeID("a"))
        let records = try #require(MembersDocument.decode(Data(text.utf8)))
        #expect(records.map(\.name) == ["a", "b"])
        #expect(records[0].isSelf && !records[1].isSelf)
        #expect(records[0].draining && records[0].incarnation == 4)
        #expect(records[1].state == "suspect")
        #expect(records[0].activeConnections == 3 && records[0].requestsPerSecond == 12.5)
        #expect(records[0].http == "\(Fixture.address("a").host):8080")
        // The wire names stay what operators and scripts already read.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(object[0]["self"] as? Bool == true)
        #expect(object[0]["state"] as? String == "alive")
    }

    @Test("a body that is not a members document decodes to nil, not to a partial table")
    func rejectsOtherBodies() {
        #expect(MembersDocument.decode(Data("{\"name\":\"a\"}".utf8)) == nil)
        #expect(MembersDocument.decode(Data("[{\"name\":\"a\"}]".utf8)) == nil)
        #expect(MembersDocument.decode(Data("not json".utf8)) == nil)
    }
}
