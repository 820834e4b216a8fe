import Foundation
import Synchronization
import Testing
@testable import EdgeCache

@Suite("TieredStore")
struct TieredStoreTests {
    private func object(_ name: String, variant: String = "", bodySize: Int = 1000, storedAt: Double = 1,
                        vary: [String] = [], tags: [String] = []) -> CachedObject {
        makeObject(primaryKey: "http://example.com/" + name, variantKey: variant, varyFields: vary,
                   bodySize: bodySize, storedAt: storedAt, tags: tags)
    }

    /// Test objects with 1000-byte bodies cost 1700-2500 bytes (1024 of body storage, `fixedOverheadBytes`,
    /// keys and two header fields), so this memory tier holds exactly two.
    private static let memoryCapacity = 5000

    /// Memory holds two of the test objects; disk holds plenty.
    private func makeStore(_ directory: TemporaryDirectory,
                           onDiskWriteError: (@Sendable (DiskTierError) -> Void)? = nil) throws -> TieredStore {
        TieredStore(
            memory: MemoryTier(capacityBytes: Self.memoryCapacity, maxObjectBytes: Self.memoryCapacity),
            disk: try DiskTier(directory: directory.path, capacityBytes: 10_000_000),
            onDiskWriteError: onDiskWriteError
        )
    }

    @Test func testObjectsFitTwoToTheMemoryTier() {
        let costs = [object("a"), object("img/1", tags: ["product-7"]),
                     object("a", variant: "identity", vary: ["accept-encoding"])].map(\.byteCost)
        #expect(costs.allSatisfy { (1700...2500).contains($0) }, "\(costs)")  // 2 × 2500 fits 5000, 3 × 1700 does not
    }

    @Test func newObjectsGoToMemoryAndThroughToDisk() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let a = object("a")
        #expect(store.store(a) == StoreOutcome(inMemory: true, onDisk: true, demoted: 0))
        #expect(store.lookupInMemory(primaryKey: a.primaryKey, variantKey: "") === a)
        #expect(store.lookup(primaryKey: a.primaryKey, variantKey: "")?.1 == .memory)
        #expect(store.stats.disk?.objects == 1)
        // A new store on the same directory (a restart) has it.
        let restarted = try makeStore(directory)
        #expect(restarted.lookup(primaryKey: a.primaryKey, variantKey: "")?.1 == .disk)
        #expect(store.lookup(primaryKey: "http://example.com/none", variantKey: "") == nil)
    }

    @Test func memoryEvictionLeavesTheDiskCopy() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let a = object("a"), b = object("b"), c = object("c")
        store.store(a)
        store.store(b)
        #expect(store.store(c).demoted == 0, "already on disk: nothing to write again")
        #expect(store.memory.contains(a.storageKey) == false)
        #expect(store.disk?.contains(a.storageKey) == true)
        #expect(store.lookupInMemory(primaryKey: a.primaryKey, variantKey: "") == nil)
        let (found, tier) = try #require(store.lookup(primaryKey: a.primaryKey, variantKey: ""))
        #expect(tier == .disk)
        #expect(found.bodyBytes == a.bodyBytes)
    }

    /// The admin's cache report looks without changing what is cached: a disk object stays on disk only, and the
    /// memory tier's recency order is untouched (otherwise looking at an object would save it from eviction).
    @Test func inspectingNeitherPromotesNorTouchesRecency() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let a = object("a"), b = object("b"), c = object("c")
        store.store(a)
        store.store(b)
        store.store(c)  // memory: b, c; a only on disk
        let (found, tier) = try #require(store.inspect(primaryKey: a.primaryKey, variantKey: ""))
        #expect(tier == .disk && found.bodyBytes == a.bodyBytes)
        #expect(store.memory.contains(a.storageKey) == false, "inspect must not promote")
        #expect(store.inspect(primaryKey: b.primaryKey, variantKey: "")?.1 == .memory)
        store.store(object("d"))  // evicts the least recently used: b, since inspecting it did not touch it
        #expect(store.memory.contains(b.storageKey) == false)
        #expect(store.memory.contains(c.storageKey))
    }

    /// What lets a true miss skip the trip to the I/O pool: the disk index answers without touching a file.
    @Test func theDiskIndexSaysWhatIsWorthReadingFromDisk() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let a = object("a", variant: "br", vary: ["accept-encoding"])
        #expect(store.diskIndexContains(primaryKey: a.primaryKey, variantKey: "br") == false)
        store.store(a)
        #expect(store.diskIndexContains(primaryKey: a.primaryKey, variantKey: "br"))
        #expect(store.diskIndexContains(primaryKey: a.primaryKey, variantKey: "gzip") == false)
        store.remove(primaryKey: a.primaryKey)
        #expect(store.diskIndexContains(primaryKey: a.primaryKey, variantKey: "br") == false)
        let memoryOnly = TieredStore(memory: MemoryTier(capacityBytes: Self.memoryCapacity,
                                                        maxObjectBytes: Self.memoryCapacity), disk: nil)
        memoryOnly.store(a)
        #expect(memoryOnly.diskIndexContains(primaryKey: a.primaryKey, variantKey: "br") == false)
    }

    @Test func diskHitIsPromotedAndKeepsItsFile() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let a = object("a"), b = object("b"), c = object("c")
        store.store(a)
        store.store(b)
        store.store(c)  // a demoted
        let diskBefore = try #require(store.stats.disk)

        #expect(store.lookup(primaryKey: a.primaryKey, variantKey: "")?.1 == .disk)
        // Promoted: the next lookup is a memory hit, and the disk copy stays (a restart still has it).
        #expect(store.lookupInMemory(primaryKey: a.primaryKey, variantKey: "")?.bodyBytes == a.bodyBytes)
        #expect(store.lookup(primaryKey: a.primaryKey, variantKey: "")?.1 == .memory)
        #expect(store.disk?.contains(a.storageKey) == true)
        // Promotion evicted b from memory, whose file was already there; a's file was not written again.
        #expect(store.disk?.contains(b.storageKey) == true)
        #expect(store.stats.disk?.objects == diskBefore.objects)
        #expect(store.stats.memory.objects == 2)
        #expect(store.stats.memory.bytes <= store.stats.memory.capacityBytes)

        // When the promoted object is evicted again, its existing file is reused rather than rewritten.
        store.store(object("d"))
        store.store(object("e"))
        #expect(!store.memory.contains(a.storageKey))
        #expect(store.stats.disk?.objects == diskBefore.objects + 2)  // d and e written through; a unchanged
    }

    /// A body above `PromotionPolicy`'s first-hit size (that memory could take) moves up at its second disk hit, not its
    /// first: one read of a large object must not evict many small hot ones.
    @Test func aLargerObjectIsPromotedOnlyWhenReadAgain() throws {
        let directory = try TemporaryDirectory()
        let store = TieredStore(memory: MemoryTier(capacityBytes: 4 << 20, maxObjectBytes: 1 << 20),
                                disk: try DiskTier(directory: directory.path, capacityBytes: 10_000_000))
        let large = object("large", bodySize: 200_000)
        let disk = try #require(store.disk)
        try disk.write(large)
        #expect(store.lookup(primaryKey: large.primaryKey, variantKey: "")?.1 == .disk)
        #expect(!store.memory.contains(large.storageKey), "not at the first hit")
        #expect(store.lookup(primaryKey: large.primaryKey, variantKey: "")?.1 == .disk)
        #expect(store.memory.contains(large.storageKey), "at the second")
        #expect(store.lookup(primaryKey: large.primaryKey, variantKey: "")?.1 == .memory)
        let small = object("small", bodySize: 2_000)
        try disk.write(small)
        _ = store.lookup(primaryKey: small.primaryKey, variantKey: "")
        #expect(store.memory.contains(small.storageKey), "small ones at once")
    }

    @Test func largeObjectsAreStoredOnDiskOnly() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let small = object("big", bodySize: 100)
        store.store(small)
        let large = object("big", bodySize: 20_000)
        #expect(store.store(large) == StoreOutcome(inMemory: false, onDisk: true, demoted: 0))
        #expect(!store.memory.contains(large.storageKey))  // the older small version is gone from memory
        let (found, tier) = try #require(store.lookup(primaryKey: large.primaryKey, variantKey: ""))
        #expect(tier == .disk)
        // Too large for memory: not read whole, its body stays in the file.
        let file = try #require(found.fileBody)
        #expect(found.bodyLength == 20_000 && found.body.readableBytes == 0)
        #expect(try file.read(at: 0, count: 20_000).readableBytesView.elementsEqual(large.body.readableBytesView))
        #expect(!store.memory.contains(large.storageKey))  // too large to promote
    }

    @Test func storingANewVersionReplacesTheDiskCopy() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let old = object("a", bodySize: 1000, storedAt: 1)
        store.store(old)
        store.store(object("b"))
        store.store(object("c"))  // old demoted to disk
        #expect(store.disk?.contains(old.storageKey) == true)

        let new = object("a", bodySize: 999, storedAt: 2)
        store.store(new)
        #expect(store.disk?.read(new.storageKey)?.body.readableBytes == 999, "the file holds the new version")
        #expect(store.lookup(primaryKey: new.primaryKey, variantKey: "")?.0 === new)

        // Pushed out again, the new version is what reaches disk.
        store.store(object("d"))
        store.store(object("e"))
        let reread = try #require(store.disk?.read(new.storageKey))
        #expect(reread.body.readableBytes == 999)
        #expect(reread.storedAt == 2)
    }

    @Test func varyFieldsComeFromMemoryOrTheDiskIndex() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let gzip = object("a", variant: "gzip", vary: ["accept-encoding"])
        #expect(store.varyFields(forPrimaryKey: gzip.primaryKey) == nil)
        store.store(gzip)
        #expect(store.varyFields(forPrimaryKey: gzip.primaryKey) == ["accept-encoding"])
        store.store(object("b"))
        store.store(object("c"))  // gzip demoted: known from the disk index now
        #expect(!store.memory.contains(gzip.storageKey))
        #expect(store.varyFields(forPrimaryKey: gzip.primaryKey) == ["accept-encoding"])
        #expect(store.varyFields(forPrimaryKey: "http://example.com/b") == [])

        // After a restart the disk index alone answers.
        let restarted = TieredStore(memory: MemoryTier(capacityBytes: 100_000, maxObjectBytes: 4096),
                                    disk: try DiskTier(directory: directory.path, capacityBytes: 10_000_000))
        #expect(restarted.varyFields(forPrimaryKey: gzip.primaryKey) == ["accept-encoding"])
        #expect(restarted.lookup(primaryKey: gzip.primaryKey, variantKey: "gzip")?.1 == .disk)
    }

    @Test func aChangedVaryDropsTheOlderVariants() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        store.store(object("a", variant: "gzip", vary: ["accept-encoding"]))
        store.store(object("a", variant: "br", vary: ["accept-encoding"]))
        store.store(object("other"))  // pushes the gzip variant to disk
        let byLanguage = object("a", variant: "en", vary: ["accept-language"])
        store.store(byLanguage)
        #expect(store.varyFields(forPrimaryKey: byLanguage.primaryKey) == ["accept-language"])
        #expect(store.lookup(primaryKey: byLanguage.primaryKey, variantKey: "gzip") == nil)
        #expect(store.lookup(primaryKey: byLanguage.primaryKey, variantKey: "br") == nil)
        #expect(store.lookup(primaryKey: byLanguage.primaryKey, variantKey: "en")?.0 === byLanguage)
    }

    @Test func removeReachesEveryVariantInBothTiers() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let gzip = object("a", variant: "gzip", vary: ["accept-encoding"])
        let br = object("a", variant: "br", vary: ["accept-encoding"])
        let big = object("a", variant: "identity", bodySize: 20_000, vary: ["accept-encoding"])
        store.store(gzip)
        store.store(br)
        store.store(big)  // disk only
        store.store(object("b"))  // gzip demoted
        #expect(store.disk?.contains(gzip.storageKey) == true)
        #expect(store.memory.contains(br.storageKey))

        store.remove(primaryKey: gzip.primaryKey)
        for variant in ["gzip", "br", "identity"] {
            #expect(store.lookup(primaryKey: gzip.primaryKey, variantKey: variant) == nil)
        }
        #expect(store.varyFields(forPrimaryKey: gzip.primaryKey) == nil)
        #expect(store.lookup(primaryKey: "http://example.com/b", variantKey: "") != nil)
    }

    @Test func removeOneVariant() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let gzip = object("a", variant: "gzip", vary: ["accept-encoding"])
        let br = object("a", variant: "br", vary: ["accept-encoding"])
        store.store(gzip)
        store.store(br)
        store.remove(primaryKey: gzip.primaryKey, variantKey: "gzip")
        #expect(store.lookup(primaryKey: gzip.primaryKey, variantKey: "gzip") == nil)
        #expect(store.lookup(primaryKey: gzip.primaryKey, variantKey: "br") != nil)
    }

    @Test func removeByPrefixAndByTagAcrossTiers() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        store.store(object("img/1", tags: ["product-7"]))
        store.store(object("img/2"))
        store.store(object("css/1", tags: ["product-7"]))  // img/1 demoted
        store.store(object("img/3", bodySize: 20_000))  // disk only
        #expect(store.remove(wherePrimaryKeyHasPrefix: "http://example.com/img/") == 3)
        #expect(store.lookup(primaryKey: "http://example.com/css/1", variantKey: "") != nil)
        #expect(store.remove(taggedWith: "product-7") == 1)
        #expect(store.lookup(primaryKey: "http://example.com/css/1", variantKey: "") == nil)
    }

    @Test func removeAllEmptiesBothTiers() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        for name in ["a", "b", "c", "d"] { store.store(object(name)) }
        store.removeAll()
        #expect(store.stats.memory.objects == 0)
        #expect(store.stats.disk?.objects == 0)
        #expect(directory.files().isEmpty)
    }

    @Test func withoutADiskEvictedObjectsAreDropped() {
        let store = TieredStore(
            memory: MemoryTier(capacityBytes: Self.memoryCapacity, maxObjectBytes: Self.memoryCapacity), disk: nil)
        store.store(object("a"))
        store.store(object("b"))
        #expect(store.store(object("c")).demoted == 0)
        #expect(store.lookup(primaryKey: "http://example.com/a", variantKey: "") == nil)
        #expect(store.store(object("big", bodySize: 20_000)).isStored == false)
        #expect(store.stats.disk == nil)
    }

    @Test func diskWriteFailuresAreReportedAndTheStoreCarriesOn() throws {
        let directory = try TemporaryDirectory()
        let failures = Mutex<[DiskTierError]>([])
        let store = try makeStore(directory) { error in failures.withLock { $0.append(error) } }
        let large = object("big", bodySize: 20_000)
        let name = DiskPaths.name(forStorageKey: large.storageKey)
        #expect(FileManager.default.createFile(atPath: directory.path + "/" + String(name.prefix(2)), contents: Data([0])))

        #expect(store.store(large) == StoreOutcome(inMemory: false, onDisk: false, demoted: 0))
        #expect(failures.withLock { $0.count } == 1)
        #expect(failures.withLock { $0.first?.kind } == .notADirectory)
        #expect(store.lookup(primaryKey: large.primaryKey, variantKey: "") == nil)
        #expect(store.store(object("a")).inMemory)
    }
}
