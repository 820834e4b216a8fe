/// Decides whether a disk hit moves up to the memory tier. Pure, so the rule is tested without files or tiers.
///
/// Why a rule at all: the memory tier is small and holds the hot small objects; one read of a large object must
/// not evict thousands of them. So small bodies move up at their first disk hit, larger ones only once they are
/// read again (nginx's proxy_cache_min_uses, for memory), and bodies above `maxBytes` never move up even when
/// the memory tier would take them: they are served from their file at every hit.
public struct PromotionPolicy: Sendable, Equatable {
    /// Bodies up to this size are promoted at their first disk hit.
    public var firstHitBytes: Int
    /// Bodies above this size are never promoted.
    public var maxBytes: Int

    public init(firstHitBytes: Int, maxBytes: Int) {
        self.firstHitBytes = max(0, firstHitBytes)
        self.maxBytes = max(0, maxBytes)
    }

    /// The default for a memory tier taking objects up to `memoryMaxObjectBytes`: 64 KiB at the first hit, and a
    /// cap of a sixteenth of the memory object limit (1 MiB for the default 16 MiB) but not below 1 MiB, so a
    /// single promotion costs at most a small share of what memory may hold for one object.
    public static func standard(memoryMaxObjectBytes: Int) -> PromotionPolicy {
        PromotionPolicy(firstHitBytes: 64 << 10,
                        maxBytes: min(max(0, memoryMaxObjectBytes), max(1 << 20, memoryMaxObjectBytes / 16)))
    }

    /// Whether a body of `bodyLength` bytes, read from disk `diskReads` times so far (this hit included), moves up.
    public func shouldPromote(bodyLength: Int, diskReads: Int) -> Bool {
        guard bodyLength <= maxBytes else { return false }
        return bodyLength <= firstHitBytes || diskReads >= 2
    }
}
