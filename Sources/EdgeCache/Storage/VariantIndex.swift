/// Primary key → the variant keys stored under it, shared by both tiers.
///
/// A purge of a URL must reach every variant, and the proxy must learn a URL's Vary fields before it can form
/// the variant key it looks up; both start from the primary key, which the tiers' storage-key maps cannot
/// answer without a scan. A plain dictionary keeps insertion and removal O(1); ordered views are produced on
/// demand by sorting, which only purges and admin listings need.
struct VariantIndex: Sendable {
    private var variants: [String: Set<String>] = [:]

    var primaryKeyCount: Int { variants.count }

    mutating func insert(primaryKey: String, variantKey: String) {
        variants[primaryKey, default: []].insert(variantKey)
    }

    mutating func remove(primaryKey: String, variantKey: String) {
        guard var set = variants[primaryKey] else { return }
        set.remove(variantKey)
        variants[primaryKey] = set.isEmpty ? nil : set
    }

    mutating func removeAll() { variants.removeAll() }

    /// The variant keys of `primaryKey`, sorted so callers see a stable order.
    func variantKeys(of primaryKey: String) -> [String] {
        variants[primaryKey].map { $0.sorted() } ?? []
    }

    /// The variant keys of `primaryKey` in no particular order: for the hit path, which must not pay for a sort.
    func unorderedVariantKeys(of primaryKey: String) -> Set<String> {
        variants[primaryKey] ?? []
    }

    /// The primary keys starting with `prefix`, sorted.
    func primaryKeys(withPrefix prefix: String) -> [String] {
        variants.keys.filter { $0.hasPrefix(prefix) }.sorted()
    }
}
