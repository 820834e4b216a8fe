import EdgeCluster
import Testing

/// Suspicion, refutation by incarnation, death after the timeout, and Lifeguard's dynamic timeout.
/// With ten members the LAN settings give a minimum of 4 s, a maximum of 24 s and K = 2 confirmations.
@Suite struct SuspicionTests {
    @Test func timeoutsForTenMembers() {
        let settings = SWIMSettings()
        #expect(settings.suspicionTimeouts(memberCount: 10) == (4, 24))
        #expect(settings.expectedSuspicionConfirmations(memberCount: 10) == 2)
    }

    @Test func suspicionIsRefutedByAHigherIncarnation() {
        var node = Fixture.node("a", knowing: Fixture.tenNodes)
        _ = node.hear([Fixture.suspect("b", by: "c")], now: 10)
        #expect(node.state(of: "b") == .suspect)
        let refuted = node.hear([Fixture.alive("b", incarnation: 1)], now: 11)
        #expect(node.state(of: "b") == .alive)
        #expect(node.member(NodeID("b"))?.incarnation == 1)
        #expect(refuted.events.contains { event in
            guard case .stateChanged(let member, .suspect) = event else { return false }
            return member.id == NodeID("b") && member.state == .alive
        })
        _ = node.runAnswering(from: 11, to: 40)
        #expect(node.state(of: "b") == .alive)
    }

    @Test func aSuspectedNodeRefutesAndTellsTheProber() throws {
        var node = Fixture.node("b", knowing: ["a", "c"])
        // Buddy system: the prober's ping leads with the suspicion.
        let ping = SWIMMessage(sender: NodeID("a"), kind: .ping(sequence: 3),
                               updates: [Fixture.suspect("b", by: "a")])
        let out = node.receive(ping, from: Fixture.address("a"), now: 5)
        #expect(node.local.incarnation == 1)
        #expect(node.localHealth == 1, "having to refute counts against our own health")
        let ack = try #require(out.sends.first)
        #expect(ack.message.kind == .ack(sequence: 3))
        #expect(ack.message.updates.contains { update in
            guard case .alive = update.change else { return false }
            return update.member == NodeID("b") && update.incarnation == 1
        })
    }

    @Test func staleRumoursAreIgnored() {
        var node = Fixture.node("a", knowing: Fixture.tenNodes)
        _ = node.hear([Fixture.alive("b", incarnation: 2)], now: 1)
        let stale = node.hear([Fixture.suspect("b", incarnation: 1, by: "c"), Fixture.dead("b", incarnation: 1),
                               Fixture.alive("b", incarnation: 1)], now: 2)
        #expect(stale.events.isEmpty)
        #expect(node.state(of: "b") == .alive)
        #expect(node.member(NodeID("b"))?.incarnation == 2)
    }

    @Test func unconfirmedSuspicionLastsTheMaximum() {
        var node = Fixture.node("a", knowing: Fixture.tenNodes)
        _ = node.hear([Fixture.suspect("b", by: "c")], now: 10)
        _ = node.runAnswering(from: 10, to: 33.9)
        #expect(node.state(of: "b") == .suspect)
        let out = node.runAnswering(from: 33.91, to: 34.1)
        #expect(node.state(of: "b") == .dead)
        #expect(out.events.contains { event in
            guard case .stateChanged(let member, .suspect) = event else { return false }
            return member.id == NodeID("b") && member.state == .dead
        })
        #expect(out.allUpdates.contains(Fixture.dead("b")), "the death is gossiped")
    }

    @Test func confirmationsShrinkTheTimeout() {
        // One confirmation: 24 − 20 · log 2 / log 3 ≈ 11.38 s.
        var once = Fixture.node("a", knowing: Fixture.tenNodes)
        _ = once.hear([Fixture.suspect("b", by: "c")], now: 10)
        _ = once.hear([Fixture.suspect("b", by: "d"), Fixture.suspect("b", by: "c")], now: 10.5)
        _ = once.runAnswering(from: 10.5, to: 21.3)
        #expect(once.state(of: "b") == .suspect)
        _ = once.runAnswering(from: 21.31, to: 21.5)
        #expect(once.state(of: "b") == .dead)

        // K = 2 confirmations: the minimum, 4 s.
        var twice = Fixture.node("a", knowing: Fixture.tenNodes)
        _ = twice.hear([Fixture.suspect("b", by: "c")], now: 10)
        _ = twice.hear([Fixture.suspect("b", by: "d")], now: 11)
        _ = twice.hear([Fixture.suspect("b", by: "e")], now: 12)
        _ = twice.runAnswering(from: 12, to: 13.9)
        #expect(twice.state(of: "b") == .suspect)
        _ = twice.runAnswering(from: 13.91, to: 14.1)
        #expect(twice.state(of: "b") == .dead)
    }

    @Test func withoutLifeguardTheMinimumApplies() {
        var settings = Fixture.quiet
        settings.lifeguard = .disabled
        var node = Fixture.node("a", knowing: Fixture.tenNodes, settings: settings)
        _ = node.hear([Fixture.suspect("b", by: "c")], now: 10)
        _ = node.runAnswering(from: 10, to: 13.9)
        #expect(node.state(of: "b") == .suspect)
        _ = node.runAnswering(from: 13.91, to: 14.1)
        #expect(node.state(of: "b") == .dead)
    }

    @Test func deadMembersComeBackOnlyWithAHigherIncarnation() {
        var node = Fixture.node("a", knowing: Fixture.tenNodes)
        _ = node.hear([Fixture.dead("b", incarnation: 3)], now: 1)
        #expect(node.state(of: "b") == .dead)
        _ = node.hear([Fixture.alive("b", incarnation: 3)], now: 2)
        #expect(node.state(of: "b") == .dead)
        _ = node.hear([Fixture.alive("b", incarnation: 4)], now: 3)
        #expect(node.state(of: "b") == .alive)
    }

    @Test func aSuspicionAtAHigherIncarnationStartsAFreshTimer() {
        var node = Fixture.node("a", knowing: Fixture.tenNodes)
        _ = node.hear([Fixture.suspect("b", by: "c")], now: 10)
        // We missed b's refutation (incarnation 1); now it is suspected again, confirmed twice over.
        _ = node.runAnswering(from: 10, to: 30)
        _ = node.hear([Fixture.suspect("b", incarnation: 1, by: "d"), Fixture.suspect("b", incarnation: 1, by: "e")],
                      now: 30)
        _ = node.runAnswering(from: 30, to: 31)
        #expect(node.state(of: "b") == .suspect, "the first timer (started at 10 s) must not carry over")
        #expect(node.member(NodeID("b"))?.incarnation == 1)
        _ = node.runAnswering(from: 31.01, to: 41.3)
        #expect(node.state(of: "b") == .suspect)
        _ = node.runAnswering(from: 41.31, to: 41.5)
        #expect(node.state(of: "b") == .dead, "one confirmation: about 11.4 s from 30 s")
    }

    @Test func aLongSuspicionIsCheckedWithTheSuspect() throws {
        var node = Fixture.node("a", knowing: Fixture.tenNodes)
        _ = node.hear([Fixture.suspect("b", by: "c")], now: 10)
        // Minimum timeout (4 s) passed without a refutation reaching us: ask b directly.
        let out = node.run(from: 13.9, to: 14.05)
        let check = try #require(out.sends.first { $0.to == Fixture.address("b") && $0.message.updates.first?.member == NodeID("b") })
        #expect(check.message.updates.first == Fixture.suspect("b", by: "a"))
        guard case .ping(let sequence) = check.message.kind else {
            Issue.record("expected a ping")
            return
        }
        // b refuted long ago; its answer carries the record we missed.
        var b = Fixture.node("b", knowing: ["a", "c"])
        _ = b.hear([Fixture.suspect("b", by: "c")], now: 10.5)
        #expect(b.local.incarnation == 1)
        let answer = try #require(b.receive(check.message, from: Fixture.address("a"), now: 14.06).sends.first)
        #expect(answer.message.kind == .ack(sequence: sequence))
        #expect(answer.message.updates.first?.member == NodeID("b"))
        #expect(answer.message.updates.first?.incarnation == 1)
        _ = node.receive(answer.message, from: Fixture.address("b"), now: 14.07)
        #expect(node.state(of: "b") == .alive)
    }
}
