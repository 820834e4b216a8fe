@testable import EdgeCluster
import Testing

@Suite("Health view lastHeard")
struct LastHeardTests {
    @Test func refreshMovesLastHeardForwardWithoutEvents() {
        let local = Member(id: NodeID("a"), address: NodeAddress(host: "127.0.0.1", port: 1), incarnation: 0,
                           state: .alive, metadata: NodeMetadata(name: "a"), lastHeard: 0, stateChangedAt: 0)
        var peer = Member(id: NodeID("b"), address: NodeAddress(host: "127.0.0.1", port: 2), incarnation: 0,
                          state: .alive, metadata: NodeMetadata(name: "b"), lastHeard: 10, stateChangedAt: 10)
        let view = ClusterHealthView(local: local)
        view.publish(.joined(peer))
        peer.lastHeard = 25
        view.refreshLastHeard([peer])
        #expect(view.member(NodeID("b"))?.lastHeard == 25)
        peer.lastHeard = 20  // never moves backwards
        view.refreshLastHeard([peer])
        #expect(view.member(NodeID("b"))?.lastHeard == 25)
        // Members the view does not know (not yet announced) are not added by a refresh.
        let stranger = Member(id: NodeID("c"), address: NodeAddress(host: "127.0.0.1", port: 3), incarnation: 0,
                              state: .alive, metadata: NodeMetadata(name: "c"), lastHeard: 30, stateChangedAt: 30)
        view.refreshLastHeard([stranger])
        #expect(view.member(NodeID("c")) == nil)
    }
}
