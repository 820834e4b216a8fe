import Testing
@testable import EdgeCache

@Suite("PromotionPolicy")
struct PromotionPolicyTests {
    @Test func smallBodiesMoveUpAtTheFirstHit() {
        let policy = PromotionPolicy.standard(memoryMaxObjectBytes: 16 << 20)
        #expect(policy.shouldPromote(bodyLength: 0, diskReads: 1))
        #expect(policy.shouldPromote(bodyLength: 64 << 10, diskReads: 1))
    }

    @Test func largerBodiesMoveUpOnlyWhenReadAgain() {
        let policy = PromotionPolicy.standard(memoryMaxObjectBytes: 16 << 20)
        #expect(!policy.shouldPromote(bodyLength: (64 << 10) + 1, diskReads: 1))
        #expect(policy.shouldPromote(bodyLength: (64 << 10) + 1, diskReads: 2))
        #expect(policy.shouldPromote(bodyLength: 1 << 20, diskReads: 5))
    }

    /// One large read must not evict many small hot objects: above the cap nothing moves up, however hot.
    @Test func bodiesAboveTheCapNeverMoveUp() {
        let policy = PromotionPolicy.standard(memoryMaxObjectBytes: 16 << 20)
        #expect(policy.maxBytes == 1 << 20)
        #expect(!policy.shouldPromote(bodyLength: (1 << 20) + 1, diskReads: 1_000))
        #expect(!policy.shouldPromote(bodyLength: 10 << 20, diskReads: 2))
    }

    @Test func theCapFollowsTheMemoryObjectLimit() {
        #expect(PromotionPolicy.standard(memoryMaxObjectBytes: 256 << 20).maxBytes == 16 << 20)
        #expect(PromotionPolicy.standard(memoryMaxObjectBytes: 4 << 20).maxBytes == 1 << 20, "not below 1 MiB")
        #expect(PromotionPolicy.standard(memoryMaxObjectBytes: 100_000).maxBytes == 100_000, "not above the limit")
        #expect(PromotionPolicy.standard(memoryMaxObjectBytes: -5).maxBytes == 0)
    }
}
