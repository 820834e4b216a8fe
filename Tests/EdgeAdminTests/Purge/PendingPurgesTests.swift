import EdgeAdmin
import EdgeCache
import Testing

@Suite struct PendingPurgesTests {
    func command(_ id: String, _ mode: PurgeMode = .hard, at time: Double) -> PurgeCommand {
        PurgeCommand(id: id, scope: .tag(id), mode: mode, issuedAt: time)
    }

    @Test func queuesPerMemberInOrderWithoutDuplicates() {
        var pending = PendingPurges(limitPerMember: 10)
        pending.enqueue(command("a", at: 1), for: "edge-2")
        pending.enqueue(command("b", at: 2), for: "edge-2")
        pending.enqueue(command("a", at: 1), for: "edge-2")
        pending.enqueue(command("c", at: 3), for: "edge-3")
        #expect(pending.commands(for: "edge-2").map(\.id) == ["a", "b"])
        #expect(pending.counts == ["edge-2": 2, "edge-3": 1])
        pending.delivered(command("a", at: 1), to: "edge-2")
        #expect(pending.commands(for: "edge-2").map(\.id) == ["b"])
        pending.delivered(command("b", at: 2), to: "edge-2")
        #expect(pending.counts == ["edge-3": 1])
        pending.forget("edge-3")
        #expect(pending.isEmpty)
    }

    @Test func overflowFoldsTheOldestIntoPurgeAll() {
        var pending = PendingPurges(limitPerMember: 2)
        pending.enqueue(command("a", .soft, at: 1), for: "n")
        pending.enqueue(command("b", .hard, at: 2), for: "n")
        pending.enqueue(command("c", .soft, at: 3), for: "n")
        pending.enqueue(command("d", .soft, at: 4), for: "n")
        let owed = pending.commands(for: "n")
        // a (soft, 1) and b (hard, 2) were folded; c and d are kept as they are.
        #expect(owed.map(\.scope) == [.all, .all, .tag("c"), .tag("d")])
        #expect(owed.map(\.mode) == [.hard, .soft, .soft, .soft])
        #expect(owed.map(\.issuedAt) == [2, 1, 3, 4])
        #expect(pending.counts["n"] == 4)
        // Delivering the folded commands clears them by id.
        for command in owed { pending.delivered(command, to: "n") }
        #expect(pending.isEmpty)
    }

    @Test func aFoldThatGrewWhileBeingDeliveredStaysQueued() {
        var pending = PendingPurges(limitPerMember: 1)
        pending.enqueue(command("a", at: 1), for: "n")
        pending.enqueue(command("b", at: 2), for: "n")
        let inFlight = pending.commands(for: "n")[0]
        pending.enqueue(command("c", at: 3), for: "n")  // folds b: the fold moves to time 2
        pending.delivered(inFlight, to: "n")
        #expect(pending.commands(for: "n").map(\.issuedAt) == [2, 3])
    }
}
