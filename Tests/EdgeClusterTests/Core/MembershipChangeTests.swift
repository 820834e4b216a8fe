import EdgeCluster
import Testing

/// Joining through seeds, graceful leave, restarts, metadata changes and forgetting the dead.
@Suite struct MembershipChangeTests {
    @Test func leaveIsAnnouncedAndPeersMarkItAtOnce() throws {
        var leaver = Fixture.node("a", knowing: ["b", "c", "d"])
        let out = leaver.leave(now: 5)
        #expect(Set(out.sends.map(\.to)) == Set(["b", "c", "d"].map(Fixture.address)))
        let notice = try #require(out.sends.first?.message)
        #expect(notice.kind == .gossip)
        #expect(notice.updates == [MembershipUpdate(member: NodeID("a"), incarnation: 1, change: .left)])

        var peer = Fixture.node("b", knowing: ["a", "c", "d"])
        let heard = peer.receive(notice, from: Fixture.address("a"), now: 5.001)
        #expect(peer.state(of: "a") == .left)
        #expect(heard.events.contains { event in
            guard case .stateChanged(let member, .alive) = event else { return false }
            return member.id == NodeID("a") && member.state == .left
        })
        // A left member is no longer probed.
        let later = peer.runAnswering(from: 5.01, to: 20)
        #expect(!later.pings.contains { $0.to == Fixture.address("a") })

        // The leaver is inert.
        #expect(leaver.tick(now: 6).isEmpty)
        #expect(leaver.receive(SWIMMessage(sender: NodeID("b"), kind: .ping(sequence: 1)),
                               from: Fixture.address("b"), now: 6).isEmpty)
    }

    @Test func joinsThroughASeed() throws {
        var seed = Fixture.node("s", knowing: ["b", "c"])
        var joiner = SWIMState(settings: Fixture.quiet, address: Fixture.address("n"), metadata: Fixture.metadata("n"),
                               seed: 1, now: 0)
        let join = try #require(joiner.join(seeds: [Fixture.address("s")], now: 0).sends.first)
        #expect(join.to == Fixture.address("s"))
        #expect(join.message.kind == .join)

        let reply = seed.receive(join.message, from: Fixture.address("n"), now: 0.01)
        #expect(seed.state(of: "n") == .alive)
        #expect(reply.events.contains { if case .joined(let m) = $0 { m.id == NodeID("n") } else { false } })
        let replies = reply.sends.filter { $0.message.kind == .joinReply }
        #expect(!replies.isEmpty && replies.allSatisfy { $0.to == Fixture.address("n") })

        for message in replies {
            _ = joiner.receive(message.message, from: Fixture.address("s"), now: 0.02)
        }
        #expect(["s", "b", "c"].allSatisfy { joiner.state(of: $0) == .alive })
        #expect(joiner.activeMemberCount == 3)

        // The seed spreads the news of the joiner to the others on its next messages.
        let gossip = seed.runAnswering(from: 0.03, to: 3)
        #expect(gossip.allUpdates.contains(Fixture.alive("n")))
    }

    @Test func retriesTheSeedsUntilSomeoneAnswers() {
        var joiner = SWIMState(settings: Fixture.quiet, address: Fixture.address("n"), metadata: Fixture.metadata("n"),
                               seed: 1, now: 0)
        #expect(joiner.join(seeds: [Fixture.address("s")], now: 0).sends.count == 1)
        #expect(joiner.run(from: 0.01, to: 1.99).sends.isEmpty)
        let retry = joiner.run(from: 2.0, to: 2.05).sends
        #expect(retry.count == 1 && retry.first?.message.kind == .join)
    }

    @Test func aRestartedNodeRefutesItsOwnDeath() throws {
        var seed = Fixture.node("s", knowing: ["b", "x"])
        _ = seed.hear([Fixture.alive("x", incarnation: 3), Fixture.dead("x", incarnation: 3)], now: 1)
        #expect(seed.state(of: "x") == .dead)

        var restarted = SWIMState(settings: Fixture.quiet, address: Fixture.address("x"),
                                  metadata: Fixture.metadata("x"), seed: 2, now: 10)
        let join = try #require(restarted.join(seeds: [Fixture.address("s")], now: 10).sends.first)
        let replies = seed.receive(join.message, from: Fixture.address("x"), now: 10.01).sends
        #expect(replies.first?.message.updates.first == Fixture.dead("x", incarnation: 3))
        for reply in replies {
            _ = restarted.receive(reply.message, from: Fixture.address("s"), now: 10.02)
        }
        #expect(restarted.local.incarnation == 4)

        // Its next message carries the refutation, which brings it back to life at the seed.
        var first: SWIMMessage?
        var now = 10.03
        while first == nil, now < 12 {
            first = restarted.tick(now: now).sends.first?.message
            now += 0.01
        }
        let message = try #require(first)
        #expect(message.updates.contains(Fixture.alive("x", incarnation: 4)))
        _ = seed.receive(message, from: Fixture.address("x"), now: now)
        #expect(seed.state(of: "x") == .alive)
        #expect(seed.member(NodeID("x"))?.incarnation == 4)
    }

    @Test func metadataChangesSpreadUnderANewIncarnation() throws {
        var node = Fixture.node("a", knowing: ["b", "c"])
        let changed = node.updateLocalMetadata(Fixture.metadata("a", draining: true), now: 1)
        #expect(node.local.incarnation == 1)
        #expect(changed.events == [.metadataChanged(node.local)])
        #expect(node.updateLocalMetadata(Fixture.metadata("a", draining: true), now: 1.5).isEmpty,
                "unchanged metadata sends nothing")

        let sent = node.runAnswering(from: 1, to: 3)
        let announcement = try #require(sent.allUpdates.first { $0.member == NodeID("a") })
        var peer = Fixture.node("b", knowing: ["a", "c"])
        let heard = peer.hear([announcement], from: "a", now: 3)
        #expect(peer.member(NodeID("a"))?.metadata.draining == true)
        #expect(heard.events.contains { if case .metadataChanged(let m) = $0 { m.id == NodeID("a") } else { false } })
    }

    @Test func deadMembersAreForgottenAfterTheRetention() {
        var settings = Fixture.quiet
        settings.deadMemberRetention = 10
        var node = Fixture.node("a", knowing: ["b", "c"], settings: settings)
        _ = node.hear([Fixture.dead("b")], now: 1)
        #expect(node.runAnswering(from: 1, to: 10.9).events.isEmpty)
        let later = node.runAnswering(from: 11, to: 12.5)
        #expect(later.events.contains { if case .removed(let m) = $0 { m.id == NodeID("b") } else { false } })
        #expect(node.member(NodeID("b")) == nil)
    }
}
