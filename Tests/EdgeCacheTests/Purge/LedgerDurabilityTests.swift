import Testing
@testable import EdgeCache

@Suite("LedgerDurability")
struct LedgerDurabilityTests {
    @Test func aRecordedChangeIsOwedASaveUntilOneSucceeds() {
        var durability = LedgerDurability()
        #expect(durability.needsSave, "nothing saved yet this run: the start-up save is owed")
        #expect(durability.saveSucceeded(version: 0, now: 1) == .none)
        #expect(!durability.needsSave)
        durability.recorded()
        #expect(durability.needsSave)
        #expect(durability.saveSucceeded(version: 1, now: 2) == .none)
        #expect(!durability.needsSave && durability.isDurable)
    }

    @Test func theFirstFailureSuspendsTheDiskAndTheFirstSuccessResumesIt() {
        var durability = LedgerDurability()
        _ = durability.saveSucceeded(version: 0, now: 0)
        durability.recorded()
        #expect(durability.saveFailed(reason: "read-only", now: 10) == .suspendDisk(reason: "read-only"))
        #expect(!durability.isDurable && durability.needsSave)
        #expect(durability.saveFailed(reason: "still read-only", now: 12) == .none, "suspended once, not again")
        #expect(durability.lastFailure == "still read-only")
        #expect(durability.saveSucceeded(version: 1, now: 15) == .resumeDisk(afterSeconds: 5))
        #expect(durability.isDurable && !durability.needsSave && durability.lastFailure == nil)
    }

    @Test func aSaveOfAnOlderVersionDoesNotEndAFailure() {
        var durability = LedgerDurability()
        durability.recorded()
        _ = durability.saveFailed(reason: "full", now: 1)
        durability.recorded()
        // A save that started before the second change cannot vouch for it.
        #expect(durability.saveSucceeded(version: 1, now: 2) == .none)
        #expect(!durability.isDurable && durability.needsSave)
        #expect(durability.saveSucceeded(version: 2, now: 3) == .resumeDisk(afterSeconds: 2))
    }
}
