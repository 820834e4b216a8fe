import EdgeCluster
import Testing

@Suite struct ClusterHealthViewTests {
    static func member(_ name: String, _ state: MemberState, role: NodeRole = .edge, draining: Bool = false) -> Member {
        var metadata = Fixture.metadata(name, draining: draining)
        metadata.role = role
        return Member(id: NodeID(name), address: Fixture.address(name), incarnation: 1, state: state,
                      metadata: metadata, lastHeard: 100, stateChangedAt: 100)
    }

    @Test func snapshotsFollowPublishedEvents() {
        let view = ClusterHealthView(local: Self.member("a", .alive))
        view.publish(.joined(Self.member("b", .alive)))
        view.publish(.joined(Self.member("c", .alive, role: .shield)))
        view.publish(.joined(Self.member("d", .alive, role: .shield, draining: true)))
        #expect(view.members().map(\.id.name) == ["a", "b", "c", "d"])
        view.publish(.stateChanged(Self.member("b", .suspect), previous: .alive))
        #expect(view.member(NodeID("b"))?.state == .suspect)
        #expect(view.routable().map(\.id.name) == ["a", "c"])
        #expect(view.routable(role: .shield).map(\.id.name) == ["c"])
        view.publish(.removed(Self.member("b", .dead)))
        #expect(view.member(NodeID("b")) == nil)
        #expect(view.local?.id == NodeID("a"))
    }

    @Test func subscribersReceiveEventsInOrder() async {
        let view = ClusterHealthView(local: Self.member("a", .alive))
        let stream = view.events()
        view.publish(.joined(Self.member("b", .alive)))
        view.publish(.stateChanged(Self.member("b", .dead), previous: .alive))
        view.finish()
        var received: [MembershipEvent] = []
        for await event in stream { received.append(event) }
        #expect(received == [.joined(Self.member("b", .alive)),
                             .stateChanged(Self.member("b", .dead), previous: .alive)])
    }

    @Test func countsDropsAndLocalHealth() {
        let view = ClusterHealthView(local: Self.member("a", .alive))
        view.recordDrop(.badMAC)
        view.recordDrop(.badMAC)
        view.recordDrop(.replayed)
        #expect(view.droppedPackets() == [.badMAC: 2, .replayed: 1])
        view.updateLocal(Self.member("a", .alive), localHealth: 3)
        #expect(view.localHealth == 3)
    }

    @Test func concurrentReadersAndWriterAgree() async {
        let view = ClusterHealthView(local: Self.member("a", .alive))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for i in 0..<500 { view.publish(.joined(Self.member("m\(i)", .alive))) }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<200 { #expect(view.members().allSatisfy { $0.state == .alive }) }
                }
            }
        }
        #expect(view.members().count == 501)
    }

    @Test func rendersATable() {
        let text = MembershipTable.render([Self.member("a", .alive), Self.member("b", .suspect, draining: false),
                                           Self.member("c", .alive, draining: true)],
                                          localID: NodeID("a"), now: 102.5)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("NAME"))
        #expect(lines[1].hasPrefix("a (self)"))
        #expect(lines[2].contains("suspect") && lines[2].contains("2.5s ago"))
        #expect(lines[3].contains("alive,draining"))
        #expect(lines[1].contains("52.5200") && lines[1].contains("eu-central"))
    }
}
