/// The disk tier's in-memory index: recency, byte accounting and per-primary-key variants of the files on disk.
/// Pure state, guarded by the tier's mutex; it never touches the file system itself.
struct DiskIndex: Sendable {
    /// What the index remembers about one file, enough to answer Vary and purge questions without I/O.
    struct Entry: Sendable {
        var primaryKey: String
        var variantKey: String
        var varyFields: [String]
        var tags: [String]
        var storedAt: Double
        var fileBytes: Int
        /// The whole body was read and matched its checksum since this node stored or found the file: later
        /// reads of its body skip the check (and may go by sendfile). A new file starts unverified.
        var verified = false
        /// Reads of the file since it was stored or found at start-up: what promotion to memory goes by.
        var reads = 0

        init(primaryKey: String, variantKey: String, varyFields: [String], tags: [String], storedAt: Double,
             fileBytes: Int) {
            self.primaryKey = primaryKey
            self.variantKey = variantKey
            self.varyFields = varyFields
            self.tags = tags
            self.storedAt = storedAt
            self.fileBytes = fileBytes
        }

        init(_ object: CachedObject, fileBytes: Int) {
            self.init(primaryKey: object.primaryKey, variantKey: object.variantKey, varyFields: object.varyFields,
                      tags: object.tags, storedAt: object.storedAt, fileBytes: fileBytes)
        }

        init(_ metadata: ObjectMetadata) {
            self.init(primaryKey: metadata.primaryKey, variantKey: metadata.variantKey,
                      varyFields: metadata.varyFields, tags: metadata.tags, storedAt: metadata.storedAt,
                      fileBytes: metadata.layout.totalLength)
        }
    }

    private(set) var lru: LRUIndex<String>
    private(set) var entries: [String: Entry] = [:]
    private(set) var variants = VariantIndex()

    /// - Parameter maxObjects: the entry bound: each entry costs memory (keys, tags, bookkeeping) that the
    ///   file-byte budget does not see, so without it many small files would grow the index without limit.
    init(capacityBytes: Int, maxObjects: Int = .max) {
        lru = LRUIndex(capacityBytes: capacityBytes, maxCount: maxObjects)
    }

    /// Records (or replaces) an entry as most recent; returns the storage keys evicted to make room, already
    /// dropped from the index, whose files the caller must delete.
    mutating func insert(_ storageKey: String, _ entry: Entry) -> [String] {
        let evicted = lru.admit(storageKey, size: entry.fileBytes)
        if let previous = entries.updateValue(entry, forKey: storageKey) {
            variants.remove(primaryKey: previous.primaryKey, variantKey: previous.variantKey)
        }
        variants.insert(primaryKey: entry.primaryKey, variantKey: entry.variantKey)
        for key in evicted { detach(key) }
        return evicted
    }

    /// Records that the key's body matched its checksum.
    mutating func markVerified(_ storageKey: String) {
        entries[storageKey]?.verified = true
    }

    /// Marks a key as read. When the file's actual size differs from the recorded one, the accounting is
    /// corrected, which may evict others (returned like `insert`).
    mutating func touch(_ storageKey: String, actualBytes: Int) -> [String] {
        guard var entry = entries[storageKey] else { return [] }
        entry.reads += 1
        guard entry.fileBytes != actualBytes else {
            entries[storageKey] = entry
            lru.touch(storageKey)
            return []
        }
        entry.fileBytes = actualBytes
        return insert(storageKey, entry)
    }

    @discardableResult
    mutating func remove(_ storageKey: String) -> Entry? {
        lru.remove(storageKey)
        return detach(storageKey)
    }

    /// Empties the index, returning every key it held.
    mutating func removeAll() -> [String] {
        let keys = Array(entries.keys)
        lru.removeAll()
        entries.removeAll()
        variants.removeAll()
        return keys
    }

    @discardableResult
    private mutating func detach(_ storageKey: String) -> Entry? {
        guard let entry = entries.removeValue(forKey: storageKey) else { return nil }
        variants.remove(primaryKey: entry.primaryKey, variantKey: entry.variantKey)
        return entry
    }
}
