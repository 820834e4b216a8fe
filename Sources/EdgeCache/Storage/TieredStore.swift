import Synchronization

/// Which tier answered a lookup.
public enum TierHit: String, Sendable, Equatable {
    case memory
    case disk
}

/// Where `TieredStore.store` put an object.
public struct StoreOutcome: Sendable, Equatable {
    public var inMemory: Bool
    public var onDisk: Bool
    /// Objects evicted from memory by this store and written to disk.
    public var demoted: Int

    public init(inMemory: Bool, onDisk: Bool, demoted: Int) {
        self.inMemory = inMemory
        self.onDisk = onDisk
        self.demoted = demoted
    }

    public var isStored: Bool { inMemory || onDisk }
}

/// The store the proxy uses: the memory tier in front of an optional disk tier.
///
/// Memory is write-back: a new object goes to memory only and reaches disk when memory evicts it (demotion),
/// so popular small objects never cost a disk write. Objects too large for memory go straight to disk. A disk
/// hit is promoted to memory and its file is kept, so a restart still has it and a later demotion is free.
///
/// All variants of one primary key share one Vary field list: storing a response whose Vary differs from what
/// the cache holds for that URL drops the older variants first. That keeps `varyFields(forPrimaryKey:)`
/// unambiguous, which the proxy needs to form the variant key before it can look anything up.
public final class TieredStore: Sendable {
    public let memory: MemoryTier
    public let disk: DiskTier?
    private let onDiskWriteError: (@Sendable (DiskTierError) -> Void)?
    /// Set while the node's purge ledger cannot be saved: the disk may hold objects that a purge known only in
    /// memory covers, and a restart would forget that purge, so the disk tier is neither read nor written
    /// (removals still go through) until the ledger is durable again. See `suspendDisk()`.
    private let diskSuspended = Atomic<Bool>(false)
    private let promotionCount = Atomic<Int>(0)
    /// Orders disk writes against removals of the same URL: a removal (invalidation, purge) that happens while
    /// an object's write-through is pending must win, or the file would bring the object back from disk.
    private let keyLocks = StripedLocks()

    /// `onDiskWriteError` hears about failed demotions and disk-only stores (a full or failing disk); the store
    /// carries on with memory alone for those objects.
    public init(memory: MemoryTier, disk: DiskTier?, onDiskWriteError: (@Sendable (DiskTierError) -> Void)? = nil) {
        self.memory = memory
        self.disk = disk
        self.onDiskWriteError = onDiskWriteError
    }

    /// Reports a disk write that failed outside the store (a large fill's spill file, see `BodySpill`) to the same
    /// listener as the store's own failed writes, so a full or read-only disk is counted and logged once, one way.
    public func reportDiskWriteError(_ error: DiskTierError) {
        onDiskWriteError?(error)
    }

    // MARK: The disk gate

    /// Stops serving from and writing to the disk tier: lookups skip it (a miss) and stores keep objects in
    /// memory only, removing any older copy from disk so it cannot come back later. Removals still run.
    public func suspendDisk() {
        diskSuspended.store(true, ordering: .sequentiallyConsistent)
    }

    /// Serves from and writes to the disk tier again.
    public func resumeDisk() {
        diskSuspended.store(false, ordering: .sequentiallyConsistent)
    }

    /// Whether the disk tier is in use: configured and not suspended.
    public var isServingFromDisk: Bool {
        disk != nil && !diskSuspended.load(ordering: .sequentiallyConsistent)
    }

    /// The disk tier when it may be read or written, else `nil`.
    private var servingDisk: DiskTier? {
        diskSuspended.load(ordering: .sequentiallyConsistent) ? nil : disk
    }

    // MARK: Lookup

    /// Memory only: no I/O, safe on an event loop.
    public func lookupInMemory(primaryKey: String, variantKey: String) -> CachedObject? {
        memory.get(CachedObject.storageKey(primaryKey: primaryKey, variantKey: variantKey))
    }

    /// Whether the disk index lists the object: no I/O, so a caller can skip a trip to the I/O pool for what the
    /// disk does not have (every true miss).
    public func diskIndexContains(primaryKey: String, variantKey: String) -> Bool {
        servingDisk?.contains(CachedObject.storageKey(primaryKey: primaryKey, variantKey: variantKey)) ?? false
    }

    /// Memory, then disk, promoting a disk hit to memory as `PromotionPolicy` says. Blocking.
    public func lookup(primaryKey: String, variantKey: String) -> (CachedObject, TierHit)? {
        let storageKey = CachedObject.storageKey(primaryKey: primaryKey, variantKey: variantKey)
        if let object = memory.get(storageKey) { return (object, .memory) }
        // An object too large for the memory tier is not read whole: its body stays in the file and is sent
        // from there (`FileBody`); only objects the memory tier takes are read whole and promoted.
        guard let disk = servingDisk, let object = disk.read(storageKey, streamAbove: memory.maxObjectBytes)
        else { return nil }
        // Small objects move up at their first disk hit; larger ones only once they are read again, so one read
        // of a large object does not evict thousands of small hot ones (nginx's proxy_cache_min_uses, for memory).
        let policy = PromotionPolicy.standard(memoryMaxObjectBytes: memory.maxObjectBytes)
        if memory.accepts(object),
           policy.shouldPromote(bodyLength: object.bodyLength, diskReads: disk.reads(of: storageKey)) {
            promotionCount.add(1, ordering: .relaxed)
            // If-absent: a newer object stored while the file was being read must win over this older copy.
            let (_, evicted) = memory.insertIfAbsent(object)
            demote(evicted)
        }
        return (object, .disk)
    }

    /// What an operator's view of the cache sees: memory without touching recency, then disk without promoting
    /// the object to memory. Looking must not change what is cached. Blocking (reads the file): call it on the
    /// I/O pool.
    public func inspect(primaryKey: String, variantKey: String) -> (CachedObject, TierHit)? {
        let storageKey = CachedObject.storageKey(primaryKey: primaryKey, variantKey: variantKey)
        if let object = memory.peek(storageKey) { return (object, .memory) }
        guard let disk = servingDisk, let object = disk.read(storageKey, streamAbove: memory.maxObjectBytes)
        else { return nil }
        return (object, .disk)
    }

    /// The Vary field list stored for `primaryKey`, from memory or the disk index. No file I/O.
    public func varyFields(forPrimaryKey primaryKey: String) -> [String]? {
        memory.varyFields(forPrimaryKey: primaryKey) ?? disk?.varyFields(forPrimaryKey: primaryKey)
    }

    // MARK: Store

    /// Stores `object`, replacing any object with the same storage key in both tiers. Blocking: it writes the
    /// object to disk.
    ///
    /// The disk tier is write-through: every stored object is written to disk at once (atomically, off the
    /// request path), so a restarted node serves everything it had, not only what memory happened to evict.
    /// Objects larger than the memory tier's per-object limit live on disk only.
    @discardableResult
    public func store(_ object: CachedObject) -> StoreOutcome {
        withKeyLock(object.primaryKey) { storeLocked(object) }
    }

    private func storeLocked(_ object: CachedObject) -> StoreOutcome {
        if let known = varyFields(forPrimaryKey: object.primaryKey), known != object.varyFields {
            memory.remove(primaryKey: object.primaryKey)
            disk?.remove(primaryKey: object.primaryKey)
        }
        guard memory.accepts(object), let evicted = insertInMemory(object) else {
            memory.remove(object.storageKey)  // an older, smaller version must not outlive this one
            return StoreOutcome(inMemory: false, onDisk: writeToDisk(object), demoted: 0)
        }
        return StoreOutcome(inMemory: true, onDisk: writeToDisk(object), demoted: demote(evicted))
    }

    /// The first, non-blocking half of `store`: puts the object in the memory tier so the next request is a hit
    /// at once. Returns the objects it evicted (hand them to `writeThrough`), or `nil` when the object is too
    /// large for memory or changes the URL's Vary fields — then call the blocking `store` instead.
    public func insertInMemory(_ object: CachedObject) -> [CachedObject]? {
        guard memory.accepts(object) else { return nil }
        if let known = memory.varyFields(forPrimaryKey: object.primaryKey), known != object.varyFields {
            return nil
        }
        if memory.varyFields(forPrimaryKey: object.primaryKey) == nil,
           let onDisk = disk?.varyFields(forPrimaryKey: object.primaryKey), onDisk != object.varyFields {
            return nil
        }
        return memory.put(object)
    }

    /// The second, blocking half of `store`: writes the object through to disk and demotes what memory evicted.
    @discardableResult
    public func writeThrough(_ object: CachedObject, evicted: [CachedObject]) -> StoreOutcome {
        // The write replaces any older version's file; a failed write removes it (DiskTier.write), so an old
        // version never outlives a newer one across a restart. It is skipped when the object has left memory
        // since it was inserted: removed (then the file must not resurrect it) or replaced by a newer version
        // (whose own write-through follows). An object evicted meanwhile was written by its demotion.
        let onDisk = withKeyLock(object.primaryKey) { () -> Bool in
            guard let current = memory.peek(object.storageKey), current.storedAt == object.storedAt,
                  current.responseTime == object.responseTime else { return false }
            return writeToDisk(object)
        }
        return StoreOutcome(inMemory: true, onDisk: onDisk, demoted: demote(evicted))
    }

    private func withKeyLock<T: Sendable>(_ primaryKey: String, _ body: () -> T) -> T {
        var hasher = Hasher()
        hasher.combine(primaryKey)
        return keyLocks.withLock(forName: String(UInt(bitPattern: hasher.finalize()), radix: 16), body)
    }

    /// Resizes the memory tier (a configuration reload): shrinking evicts least recent objects (and objects now
    /// over the largest size), which are demoted to disk like any eviction. Blocking (disk writes): call it on
    /// the I/O pool or another thread that may block. Returns how many objects left memory.
    @discardableResult
    public func resizeMemory(capacityBytes: Int, maxObjectBytes: Int) -> Int {
        let evicted = memory.resize(capacityBytes: capacityBytes, maxObjectBytes: maxObjectBytes)
        demote(evicted)
        return evicted.count
    }

    /// Writes objects evicted from memory to disk unless their file is already there (promoted objects keep
    /// theirs). Returns how many were written.
    @discardableResult
    private func demote(_ evicted: [CachedObject]) -> Int {
        guard let disk = servingDisk else { return 0 }
        var written = 0
        for object in evicted where !disk.contains(object.storageKey) {
            if writeToDisk(object) { written += 1 }
        }
        return written
    }

    private func writeToDisk(_ object: CachedObject) -> Bool {
        guard let disk else { return false }
        guard !diskSuspended.load(ordering: .sequentiallyConsistent) else {
            // This object replaces any older version; the older file must not be served once the disk resumes.
            disk.remove(object.storageKey)
            return false
        }
        do {
            return try disk.write(object)
        } catch {
            onDiskWriteError?(error)
            return false
        }
    }

    // MARK: Removal

    /// Removes every variant of `primaryKey` from both tiers.
    public func remove(primaryKey: String) {
        withKeyLock(primaryKey) {
            memory.remove(primaryKey: primaryKey)
            disk?.remove(primaryKey: primaryKey)
        }
    }

    /// Removes one variant from both tiers.
    public func remove(primaryKey: String, variantKey: String) {
        let storageKey = CachedObject.storageKey(primaryKey: primaryKey, variantKey: variantKey)
        withKeyLock(primaryKey) {
            memory.remove(storageKey)
            disk?.remove(storageKey)
        }
    }

    /// Removes every object whose primary key starts with `prefix`; returns how many distinct objects went.
    @discardableResult
    public func remove(wherePrimaryKeyHasPrefix prefix: String) -> Int {
        removeStorageKeys(
            memory.storageKeys(wherePrimaryKeyHasPrefix: prefix),
            disk?.storageKeys(wherePrimaryKeyHasPrefix: prefix) ?? []
        )
    }

    /// Removes every object carrying the purge tag; returns how many distinct objects went.
    @discardableResult
    public func remove(taggedWith tag: String) -> Int {
        removeStorageKeys(memory.storageKeys(taggedWith: tag), disk?.storageKeys(taggedWith: tag) ?? [])
    }

    private func removeStorageKeys(_ inMemory: [String], _ onDisk: [String]) -> Int {
        var removed = Set<String>()
        for key in Set(inMemory).union(onDisk) {
            let primaryKey = String(key.prefix { $0 != "\n" })
            let gone = withKeyLock(primaryKey) { () -> Bool in
                let fromMemory = memory.remove(key) != nil
                let fromDisk = disk?.remove(key) ?? false
                return fromMemory || fromDisk
            }
            if gone { removed.insert(key) }
        }
        return removed.count
    }

    public func removeAll() {
        memory.removeAll()
        disk?.removeAll()
    }

    public var stats: (memory: TierStats, disk: TierStats?) {
        (memory.stats, disk?.stats)
    }

    /// Disk hits copied up into memory since start.
    public var promotions: Int { promotionCount.load(ordering: .relaxed) }
}
