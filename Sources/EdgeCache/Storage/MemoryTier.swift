import Synchronization

/// The in-memory tier: a byte-bounded LRU of objects by storage key.
///
/// It is read on the event loop for every hit, so each call takes one short `Mutex` section with a couple of
/// hash lookups and no I/O or allocation beyond the results. Evicted objects are handed back to the caller
/// instead of dropped, so the tiered store can demote them to disk outside the lock.
public final class MemoryTier: Sendable {
    /// The byte budget; a reload may change it (`resize`).
    public var capacityBytes: Int { state.withLock { $0.lru.capacityBytes } }
    /// Objects whose `byteCost` exceeds this are refused: one large body would otherwise flush many small ones.
    public var maxObjectBytes: Int { state.withLock { $0.maxObjectBytes } }

    private struct State {
        var lru: LRUIndex<String>
        var maxObjectBytes: Int
        var objects: [String: CachedObject] = [:]
        /// LRU evictions since start, for metrics.
        var evictions = 0
        /// Primary key → variant keys, for objects with a non-empty variant key only. Most objects have no Vary;
        /// for them the storage key alone answers "which variants does this URL have" (`primaryKey + "\n"` is
        /// in `objects` or not), and an index entry each (a dictionary slot and a set's heap block, about 140 B)
        /// would be memory spent on nothing. Prefix purges scan `objects` for them, as they scan this index.
        var variants = VariantIndex()

        /// Drops `storageKey` from the maps (not the LRU, which the caller has already updated).
        mutating func detach(_ storageKey: String) -> CachedObject? {
            guard let object = objects.removeValue(forKey: storageKey) else { return nil }
            unindexVariant(of: object)
            return object
        }

        mutating func indexVariant(of object: CachedObject) {
            guard !object.hasEmptyVariantKey else { return }
            variants.insert(primaryKey: object.primaryKey, variantKey: object.variantKey)
        }

        mutating func unindexVariant(of object: CachedObject) {
            guard !object.hasEmptyVariantKey else { return }
            variants.remove(primaryKey: object.primaryKey, variantKey: object.variantKey)
        }

        /// Whether the object without a variant key is stored for `primaryKey`.
        func hasPlainObject(_ primaryKey: String) -> Bool {
            objects[CachedObject.storageKey(primaryKey: primaryKey, variantKey: "")] != nil
        }

        /// The variant keys stored for `primaryKey`, sorted ("" first when the plain object is stored).
        func variantKeys(of primaryKey: String) -> [String] {
            let indexed = variants.variantKeys(of: primaryKey)
            return hasPlainObject(primaryKey) ? [""] + indexed : indexed
        }

        mutating func remove(_ storageKey: String) -> CachedObject? {
            lru.remove(storageKey)
            return detach(storageKey)
        }
    }

    private let state: Mutex<State>

    /// `maxObjectBytes` is capped at `capacityBytes`; negative values count as zero.
    public init(capacityBytes: Int, maxObjectBytes: Int) {
        let capacity = max(0, capacityBytes)
        self.state = Mutex(State(lru: LRUIndex(capacityBytes: capacity),
                                 maxObjectBytes: min(max(0, maxObjectBytes), capacity)))
    }

    /// Whether an object of this cost may be stored here at all.
    /// An object whose body is in its disk file (`fileBody`) never enters: memory would hold a descriptor, not
    /// the body, and the memory tier is for bodies it can send at once.
    public func accepts(_ object: CachedObject) -> Bool { object.fileBody == nil && object.byteCost <= maxObjectBytes }

    /// Changes the byte budget and the largest object (a configuration reload), capped as in `init`. Shrinking
    /// evicts least recent objects first, and objects now over `maxObjectBytes`; they are returned so the
    /// caller can demote them, as `put` returns what it evicts.
    public func resize(capacityBytes: Int, maxObjectBytes: Int) -> [CachedObject] {
        state.withLock { state in
            let capacity = max(0, capacityBytes)
            state.maxObjectBytes = min(max(0, maxObjectBytes), capacity)
            var evicted = state.lru.resize(capacityBytes: capacity).compactMap { state.detach($0) }
            let limit = state.maxObjectBytes
            let oversized = state.objects.values.filter { $0.byteCost > limit }.map(\.storageKey)
            evicted += oversized.compactMap { state.remove($0) }
            return evicted
        }
    }

    /// Looks up an object and marks it most recently used.
    public func get(_ storageKey: String) -> CachedObject? {
        state.withLock { state in
            guard let object = state.objects[storageKey] else { return nil }
            state.lru.touch(storageKey)
            return object
        }
    }

    /// Looks up an object without changing its recency (for purges, admin views and tests).
    public func peek(_ storageKey: String) -> CachedObject? {
        state.withLock { $0.objects[storageKey] }
    }

    public func contains(_ storageKey: String) -> Bool {
        state.withLock { $0.objects[storageKey] != nil }
    }

    /// Stores `object`, replacing any object with the same storage key. Returns the objects that no longer fit,
    /// least recent first, so the caller can demote them; `object` itself is returned when it is larger than
    /// `maxObjectBytes`. A replaced older version is not returned: it is superseded, not evicted.
    @discardableResult
    public func put(_ object: CachedObject) -> [CachedObject] {
        state.withLock { state in
            let limit = state.maxObjectBytes
            return Self.insert(object, into: &state, maxObjectBytes: limit)
        }
    }

    /// Stores `object` only when nothing is stored under its key; a promotion from disk uses this so it cannot
    /// overwrite a newer object stored while the disk read was in flight.
    public func insertIfAbsent(_ object: CachedObject) -> (inserted: Bool, evicted: [CachedObject]) {
        state.withLock { state in
            guard state.objects[object.storageKey] == nil else { return (false, []) }
            let limit = state.maxObjectBytes
            let evicted = Self.insert(object, into: &state, maxObjectBytes: limit)
            return (!evicted.contains { $0 === object }, evicted)
        }
    }

    private static func insert(_ object: CachedObject, into state: inout State, maxObjectBytes: Int) -> [CachedObject] {
        let key = object.storageKey
        guard object.byteCost <= maxObjectBytes else {
            _ = state.remove(key)
            return [object]
        }
        let evictedKeys = state.lru.admit(key, size: object.byteCost)
        state.evictions += evictedKeys.count
        if let previous = state.objects.updateValue(object, forKey: key) {
            state.unindexVariant(of: previous)
        }
        state.indexVariant(of: object)
        return evictedKeys.compactMap { state.detach($0) }
    }

    @discardableResult
    public func remove(_ storageKey: String) -> CachedObject? {
        state.withLock { $0.remove(storageKey) }
    }

    /// Removes every variant of `primaryKey`.
    @discardableResult
    public func remove(primaryKey: String) -> [CachedObject] {
        state.withLock { state in
            state.variantKeys(of: primaryKey).compactMap {
                state.remove(CachedObject.storageKey(primaryKey: primaryKey, variantKey: $0))
            }
        }
    }

    @discardableResult
    public func removeAll() -> [CachedObject] {
        state.withLock { state in
            let all = state.lru.compactMap { state.objects[$0.key] }
            state.lru.removeAll()
            state.objects.removeAll()
            state.variants.removeAll()
            return all
        }
    }

    public var stats: TierStats {
        state.withLock {
            TierStats(objects: $0.objects.count, bytes: $0.lru.totalBytes, capacityBytes: $0.lru.capacityBytes,
                      evictions: $0.evictions)
        }
    }

    /// The variant keys stored for `primaryKey`, sorted.
    public func variantKeys(forPrimaryKey primaryKey: String) -> [String] {
        state.withLock { $0.variantKeys(of: primaryKey) }
    }

    /// The Vary field list of the most recently stored variant of `primaryKey`; `nil` when none is here.
    public func varyFields(forPrimaryKey primaryKey: String) -> [String]? {
        state.withLock { state in
            let plain = state.objects[CachedObject.storageKey(primaryKey: primaryKey, variantKey: "")]
            let varied = state.variants.unorderedVariantKeys(of: primaryKey)
            if varied.isEmpty { return plain?.varyFields }
            return varied
                .compactMap { state.objects[CachedObject.storageKey(primaryKey: primaryKey, variantKey: $0)] }
                .reduce(plain) { newest, object in
                    guard let newest, newest.storedAt >= object.storedAt else { return object }
                    return newest
                }?
                .varyFields
        }
    }

    /// Storage keys of every object whose primary key starts with `prefix`, for prefix purges.
    public func storageKeys(wherePrimaryKeyHasPrefix prefix: String) -> [String] {
        state.withLock { state in
            let varied = state.variants.primaryKeys(withPrefix: prefix).flatMap { primaryKey in
                state.variants.variantKeys(of: primaryKey).map {
                    CachedObject.storageKey(primaryKey: primaryKey, variantKey: $0)
                }
            }
            // Objects without a variant key are not in the variant index: their storage key is the primary key
            // and a newline, and a prefix (from a URL, no newline) matches it exactly when it matches the key.
            let plain = state.objects.values.filter { $0.hasEmptyVariantKey && $0.primaryKeyPart.hasPrefix(prefix) }
                .map(\.storageKey)
            return (plain + varied).sorted()
        }
    }

    /// Storage keys of every object carrying `tag`, for tag purges. A linear scan: purges are rare.
    public func storageKeys(taggedWith tag: String) -> [String] {
        state.withLock { state in
            state.objects.values.filter { $0.tags.contains(tag) }.map(\.storageKey).sorted()
        }
    }
}
