import Foundation
import Testing
@testable import EdgeCache

/// The disk tier's in-memory index is bounded by object count as well as by file bytes: many small files
/// would otherwise grow it without limit while `disk_size` is far from full.
@Suite("Disk index bound")
struct DiskIndexBoundTests {
    private func object(_ index: Int) -> CachedObject {
        makeObject(primaryKey: "http://example.com/small/\(index)", bodySize: 150, storedAt: 1_700_000_000 + Double(index))
    }

    private func objectFiles(under root: String) -> Int {
        let walker = FileManager.default.enumerator(atPath: root)
        var count = 0
        while let path = walker?.nextObject() as? String {
            let name = (path as NSString).lastPathComponent
            if name.utf8.count == DiskPaths.nameLength, !name.hasPrefix(DiskPaths.temporaryPrefix) { count += 1 }
        }
        return count
    }

    @Test func lruIndexEvictsPastItsEntryBound() {
        var index = LRUIndex<String>(capacityBytes: 1_000_000, maxCount: 3)
        #expect(index.admit("a", size: 1).isEmpty)
        #expect(index.admit("b", size: 1).isEmpty)
        #expect(index.admit("c", size: 1).isEmpty)
        index.touch("a")
        #expect(index.admit("d", size: 1) == ["b"])
        #expect(index.map(\.key) == ["c", "a", "d"])
        // Replacing an entry does not count twice.
        #expect(index.admit("d", size: 5).isEmpty)
        #expect(index.count == 3)
        #expect(LRUIndex<String>(capacityBytes: 10, maxCount: 0).maxCount == 1)
    }

    @Test func writesPastMaxObjectsEvictTheLeastRecentAndTheirFiles() throws {
        let directory = try TemporaryDirectory()
        let tier = try DiskTier(directory: directory.path, capacityBytes: 100_000_000, maxObjects: 50)
        for index in 0..<200 { #expect(try tier.write(object(index))) }
        #expect(tier.stats.objects == 50)
        #expect(objectFiles(under: directory.path) == 50)
        #expect(!tier.contains(object(0).storageKey))
        #expect(tier.contains(object(199).storageKey))
        #expect(tier.read(object(150).storageKey) != nil)
    }

    @Test func aSmallerBoundAtStartEvictsTheOldest() throws {
        let directory = try TemporaryDirectory()
        let first = try DiskTier(directory: directory.path, capacityBytes: 100_000_000, maxObjects: 100)
        for index in 0..<40 { try first.write(object(index)) }
        let restarted = try DiskTier(directory: directory.path, capacityBytes: 100_000_000, maxObjects: 10)
        #expect(restarted.stats.objects == 10)
        #expect(restarted.rebuildReport.evictedObjects == 30)
        #expect(restarted.contains(object(39).storageKey))
        #expect(!restarted.contains(object(29).storageKey))
        #expect(objectFiles(under: directory.path) == 10)
    }

    @Test func theDefaultBoundFollowsTheDiskSize() throws {
        #expect(DiskTier.defaultMaxObjects(capacityBytes: 1 << 30) == 65_536)
        #expect(DiskTier.defaultMaxObjects(capacityBytes: 1 << 20) == DiskTier.minimumDefaultMaxObjects)
        let directory = try TemporaryDirectory()
        #expect(try DiskTier(directory: directory.path, capacityBytes: 4 << 30).maxObjects == 262_144)
    }
}
