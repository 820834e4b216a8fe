import Synchronization

/// The coding facts of one stored object, derived once with its delivery template.
struct CompressionFacts: Sendable {
    /// How the object varies by coding (always `.plain` for a coded variant: it is delivered as it is).
    var representation: BaseRepresentation
    /// Set when the object is a coded variant.
    var variant: VariantStamp?
    /// Hits on this variant object, for hot recompression; `nil` for bases.
    var hits: VariantHits?

    static let plain = CompressionFacts(representation: .plain, variant: nil, hits: nil)
}

/// A coded variant's hit count and whether its recompression has been claimed. Lives with the object's memo,
/// so counting costs one atomic add on the hit path and nothing is stored or looked up by key.
final class VariantHits: Sendable {
    private let count = Atomic<Int>(0)
    private let claimed = Atomic<Bool>(false)

    init() {}

    /// Counts a hit; returns the new total.
    func record() -> Int { count.wrappingAdd(1, ordering: .relaxed).newValue }

    var total: Int { count.load(ordering: .relaxed) }

    /// True for exactly one caller, until ``release()``.
    func claim() -> Bool {
        claimed.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
    }

    /// Lets a later hit try again (the recompression could not be scheduled).
    func release() { claimed.store(false, ordering: .relaxed) }
}
