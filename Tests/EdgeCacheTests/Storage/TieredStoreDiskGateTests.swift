import Testing
@testable import EdgeCache

/// The gate a node closes while its purge ledger cannot be saved: the disk is neither read nor written, and
/// what a store replaces is removed from it, so nothing old comes back when the gate opens again.
@Suite("TieredStore disk gate")
struct TieredStoreDiskGateTests {
    private func makeStore(_ directory: TemporaryDirectory) throws -> TieredStore {
        TieredStore(memory: MemoryTier(capacityBytes: 1 << 20, maxObjectBytes: 1 << 16),
                    disk: try DiskTier(directory: directory.path, capacityBytes: 10_000_000))
    }

    @Test func aSuspendedDiskIsNeitherReadNorWritten() throws {
        let directory = try TemporaryDirectory()
        let old = makeObject(primaryKey: "http://example.com/a", storedAt: 1)
        try makeStore(directory).store(old)
        let store = try makeStore(directory)  // a restart: the object is on disk only
        #expect(store.isServingFromDisk)
        store.suspendDisk()
        #expect(!store.isServingFromDisk)
        #expect(!store.diskIndexContains(primaryKey: old.primaryKey, variantKey: ""))
        #expect(store.lookup(primaryKey: old.primaryKey, variantKey: "") == nil)

        // A newer version is kept in memory only, and the older file is removed rather than left to resurface.
        let new = makeObject(primaryKey: "http://example.com/a", storedAt: 2)
        #expect(store.store(new) == StoreOutcome(inMemory: true, onDisk: false, demoted: 0))
        #expect(store.disk?.contains(old.storageKey) == false)
        #expect(directory.files().isEmpty)

        store.resumeDisk()
        #expect(store.isServingFromDisk)
        let other = makeObject(primaryKey: "http://example.com/b")
        #expect(store.store(other).onDisk)
        #expect(store.lookup(primaryKey: new.primaryKey, variantKey: "")?.0.storedAt == 2)
    }
}
