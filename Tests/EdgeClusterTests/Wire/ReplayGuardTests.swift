import EdgeCluster
import Testing

@Suite struct ReplayGuardTests {
    let tagA = [UInt8](repeating: 1, count: 32)
    let tagB = [UInt8](repeating: 2, count: 32)

    @Test func secondCopyIsAReplay() {
        var guardian = ReplayGuard(window: 60)
        #expect(guardian.admit(tag: tagA, timestampMillis: 100_000, now: 100) == .fresh)
        #expect(guardian.admit(tag: tagA, timestampMillis: 100_000, now: 101) == .replayed)
        #expect(guardian.admit(tag: tagB, timestampMillis: 100_000, now: 101) == .fresh)
    }

    @Test func oldOrFuturePacketsAreStale() {
        var guardian = ReplayGuard(window: 60)
        #expect(guardian.admit(tag: tagA, timestampMillis: 10_000, now: 100) == .stale)
        #expect(guardian.admit(tag: tagA, timestampMillis: 200_000, now: 100) == .stale)
        #expect(guardian.admit(tag: tagA, timestampMillis: 41_000, now: 100) == .fresh)
    }

    @Test func aReplayAfterTheWindowIsStaleNotFresh() {
        var guardian = ReplayGuard(window: 60)
        #expect(guardian.admit(tag: tagA, timestampMillis: 100_000, now: 100) == .fresh)
        #expect(guardian.admit(tag: tagA, timestampMillis: 100_000, now: 170) == .stale)
    }

    @Test func memoryIsBounded() {
        var guardian = ReplayGuard(window: 60, capacity: 100)
        for i in 0..<1_000 {
            var tag = [UInt8](repeating: 0, count: 32)
            tag[0] = UInt8(i & 255)
            tag[1] = UInt8(i >> 8)
            #expect(guardian.admit(tag: tag, timestampMillis: 100_000, now: 100) == .fresh)
        }
        var recent = [UInt8](repeating: 0, count: 32)
        recent[0] = UInt8(999 & 255)
        recent[1] = UInt8(999 >> 8)
        #expect(guardian.admit(tag: recent, timestampMillis: 100_000, now: 100) == .replayed)
    }
}
