import Dispatch
import Foundation
import NIOCore
import Testing
@testable import EdgeCache

@Suite("DiskTier")
struct DiskTierTests {
    private func object(_ name: String, variant: String = "", bodySize: Int = 1000, storedAt: Double = 1,
                        vary: [String] = [], tags: [String] = []) -> CachedObject {
        makeObject(primaryKey: "http://example.com/" + name, variantKey: variant, varyFields: vary,
                   bodySize: bodySize, storedAt: storedAt, tags: tags)
    }

    private func fileSize(_ object: CachedObject) throws -> Int {
        let encoded: [UInt8] = try ObjectFileCodec.encode(object)
        return encoded.count
    }

    @Test func writeThenReadReturnsTheObject() throws {
        let directory = try TemporaryDirectory()
        let tier = try DiskTier(directory: directory.path, capacityBytes: 1_000_000)
        let stored = object("a", tags: ["t"])
        #expect(try tier.write(stored))
        #expect(tier.contains(stored.storageKey))

        let read = try #require(tier.read(stored.storageKey))
        #expect(read.bodyBytes == stored.bodyBytes)
        #expect(read.storageKey == stored.storageKey)
        #expect(read.tags == ["t"])
        #expect(tier.read("http://example.com/other\n") == nil)
        #expect(tier.stats == TierStats(objects: 1, bytes: try fileSize(stored), capacityBytes: 1_000_000))
    }

    @Test func filesAreShardedByKeyHash() throws {
        let directory = try TemporaryDirectory()
        let tier = try DiskTier(directory: directory.path, capacityBytes: 1_000_000)
        let stored = object("a")
        try tier.write(stored)
        let name = DiskPaths.name(forStorageKey: stored.storageKey)
        #expect(name.count == 64)
        let expected = String(name.prefix(2)) + "/" + String(name.dropFirst(2).prefix(2)) + "/" + name
        #expect(directory.files() == [expected])
        #expect(tier.filePath(forStorageKey: stored.storageKey) == directory.path + "/" + expected)
    }

    @Test func createsAMissingDirectory() throws {
        let directory = try TemporaryDirectory()
        let nested = directory.path + "/cache/disk/"
        let tier = try DiskTier(directory: nested, capacityBytes: 1000)
        #expect(FileIO.isDirectory(directory.path + "/cache/disk"))
        #expect(tier.directory == directory.path + "/cache/disk")
    }

    @Test func aFileWhereTheDirectoryShouldBeIsATypedError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/occupied"
        #expect(FileManager.default.createFile(atPath: path, contents: Data([1])))
        let error = #expect(throws: DiskTierError.self) {
            _ = try DiskTier(directory: path, capacityBytes: 1000)
        }
        #expect(error?.kind == .notADirectory)
        #expect(error?.path == path)
    }

    @Test func restartSeesTheObjects() throws {
        let directory = try TemporaryDirectory()
        let first = try DiskTier(directory: directory.path, capacityBytes: 1_000_000)
        let a = object("a", variant: "gzip", vary: ["accept-encoding"], tags: ["x"])
        let b = object("b")
        try first.write(a)
        try first.write(b)

        let restarted = try DiskTier(directory: directory.path, capacityBytes: 1_000_000)
        #expect(restarted.rebuildReport.loadedObjects == 2)
        #expect(restarted.rebuildReport.loadedBytes == first.stats.bytes)
        #expect(restarted.stats == first.stats)
        #expect(restarted.varyFields(forPrimaryKey: a.primaryKey) == ["accept-encoding"])
        #expect(restarted.variantKeys(forPrimaryKey: a.primaryKey) == ["gzip"])
        #expect(restarted.storageKeys(taggedWith: "x") == [a.storageKey])
        #expect(restarted.read(a.storageKey)?.bodyBytes == a.bodyBytes)
        #expect(restarted.read(b.storageKey)?.bodyBytes == b.bodyBytes)
    }

    /// Metadata beyond the scan's first read (4 KiB) takes a second, longer read at start.
    @Test func restartLoadsObjectsWithLargeMetadata() throws {
        let directory = try TemporaryDirectory()
        let first = try DiskTier(directory: directory.path, capacityBytes: 1_000_000)
        let large = makeObject(primaryKey: "http://example.com/large-headers", bodySize: 10,
                               headers: [("x-padding", String(repeating: "p", count: 20_000))])
        try first.write(large)

        let restarted = try DiskTier(directory: directory.path, capacityBytes: 1_000_000)
        #expect(restarted.rebuildReport.loadedObjects == 1)
        #expect(restarted.rebuildReport.removedInvalidFiles == 0)
        #expect(restarted.read(large.storageKey)?.headers.first(name: "x-padding")?.count == 20_000)
    }

    @Test func evictsLeastRecentlyUsedByBytesAndDeletesTheirFiles() throws {
        let directory = try TemporaryDirectory()
        let size = try fileSize(object("a"))
        let tier = try DiskTier(directory: directory.path, capacityBytes: size * 3)
        let items = ["a", "b", "c", "d", "e"].map { object($0) }
        try tier.write(items[0])
        try tier.write(items[1])
        try tier.write(items[2])
        #expect(tier.read(items[0].storageKey) != nil)  // a is now more recent than b and c
        try tier.write(items[3])  // evicts b
        try tier.write(items[4])  // evicts c
        #expect(tier.contains(items[0].storageKey))
        #expect(!tier.contains(items[1].storageKey))
        #expect(!tier.contains(items[2].storageKey))
        #expect(tier.stats == TierStats(objects: 3, bytes: size * 3, capacityBytes: size * 3))
        #expect(directory.files().count == 3)
        #expect(!FileManager.default.fileExists(atPath: tier.filePath(forStorageKey: items[1].storageKey)))
    }

    @Test func restartOrdersByStoredAtAndEvictsWhenCapacityShrank() throws {
        let directory = try TemporaryDirectory()
        let size = try fileSize(object("a"))
        let first = try DiskTier(directory: directory.path, capacityBytes: size * 10)
        // Written newest first, so storedAt and not write order must decide.
        for (index, name) in ["a", "b", "c", "d"].enumerated() {
            try first.write(object(name, storedAt: Double(100 - index)))
        }
        let log = EventLog()
        let smaller = try DiskTier(directory: directory.path, capacityBytes: size * 2, onEvent: log.handler)
        #expect(smaller.rebuildReport.loadedObjects == 2)
        #expect(smaller.rebuildReport.evictedObjects == 2)
        #expect(smaller.contains(object("a").storageKey))
        #expect(smaller.contains(object("b").storageKey))
        #expect(directory.files().count == 2)
        #expect(log.all.contains(.evictedAtStartup(count: 2, bytes: size * 2)))
    }

    @Test func leftoversAndDamagedFilesAreCleanedAtStartAndNeverServed() throws {
        let directory = try TemporaryDirectory()
        let first = try DiskTier(directory: directory.path, capacityBytes: 1_000_000)
        let good = object("good")
        let truncated = object("truncated")
        let misnamed = object("misnamed")
        try first.write(good)
        try first.write(truncated)
        try first.write(misnamed)

        // A write interrupted before its rename leaves a temporary file beside the final name.
        let goodPath = first.filePath(forStorageKey: good.storageKey)
        let temporary = FileIO.parentPath(of: goodPath) + "/.tmp-" + DiskPaths.name(forStorageKey: "x") + "-1"
        #expect(FileManager.default.createFile(atPath: temporary, contents: Data(repeating: 7, count: 100)))
        // A final file cut short (e.g. by a crash on a file system without ordered writes).
        let truncatedPath = first.filePath(forStorageKey: truncated.storageKey)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: truncatedPath))
        try handle.truncate(atOffset: 500)
        try handle.close()
        // A valid object stored under the wrong name.
        let misnamedPath = first.filePath(forStorageKey: misnamed.storageKey)
        let wrongName = first.filePath(forStorageKey: "http://example.com/elsewhere\n")
        try FileManager.default.createDirectory(atPath: FileIO.parentPath(of: wrongName),
                                                withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: misnamedPath, toPath: wrongName)
        // Junk inside a shard directory, and a foreign entry at the top level that must be left alone.
        let junk = FileIO.parentPath(of: goodPath) + "/notes.txt"
        #expect(FileManager.default.createFile(atPath: junk, contents: Data("hello".utf8)))
        let foreign = directory.path + "/README"
        #expect(FileManager.default.createFile(atPath: foreign, contents: Data("keep".utf8)))

        let log = EventLog()
        let restarted = try DiskTier(directory: directory.path, capacityBytes: 1_000_000, onEvent: log.handler)
        let report = restarted.rebuildReport
        #expect(report.loadedObjects == 1)
        #expect(report.removedTemporaryFiles == 1)
        #expect(report.removedInvalidFiles == 3)
        #expect(report.skippedForeignEntries == 1)
        #expect(restarted.read(good.storageKey)?.bodyBytes == good.bodyBytes)
        #expect(restarted.read(truncated.storageKey) == nil)
        #expect(restarted.read(misnamed.storageKey) == nil)
        #expect(restarted.read("http://example.com/elsewhere\n") == nil)
        for removed in [temporary, truncatedPath, wrongName, junk] {
            #expect(!FileManager.default.fileExists(atPath: removed), "\(removed)")
        }
        #expect(FileManager.default.fileExists(atPath: foreign))
        #expect(log.all.contains(.removedTemporaryFile(path: temporary)))
        #expect(log.all.contains(.skippedForeignEntry(path: foreign)))
        #expect(log.all.contains { if case .removedInvalidFile(truncatedPath, _) = $0 { true } else { false } })
    }

    @Test func corruptBodyIsAMissAndTheFileIsDeleted() throws {
        let directory = try TemporaryDirectory()
        let log = EventLog()
        let tier = try DiskTier(directory: directory.path, capacityBytes: 1_000_000, onEvent: log.handler)
        let stored = object("a")
        try tier.write(stored)
        let path = tier.filePath(forStorageKey: stored.storageKey)

        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - ObjectFileCodec.checksumLength - 10] ^= 0xFF  // a body byte; size unchanged
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        #expect(tier.read(stored.storageKey) == nil)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!tier.contains(stored.storageKey))
        #expect(tier.stats.bytes == 0)
        #expect(log.all.contains { if case .removedInvalidFile(path, _) = $0 { true } else { false } })
    }

    /// A file above `streamAbove` is read as its head only: the body is read in pieces from the open file, the
    /// whole of it matches the checksum, and the descriptor outlives the file's removal.
    @Test func aLargeObjectIsReadWithItsBodyLeftInTheFile() throws {
        let directory = try TemporaryDirectory()
        let tier = try DiskTier(directory: directory.path, capacityBytes: 10_000_000)
        let stored = object("big", bodySize: 600_000, tags: ["t"])
        try tier.write(stored)
        let read = try #require(tier.read(stored.storageKey, streamAbove: 100_000))
        let file = try #require(read.fileBody)
        #expect(read.body.readableBytes == 0 && read.bodyLength == 600_000)
        #expect(read.tags == ["t"] && read.headers == stored.headers)
        tier.remove(stored.storageKey)  // unlinked: the open descriptor still reads it
        var verifier = try #require(file.verifier())
        var offset = 0
        var bytes: [UInt8] = []
        while offset < file.length {
            let chunk = try file.read(at: offset, count: min(FileBody.chunkBytes, file.length - offset))
            verifier.update(chunk)
            bytes += chunk.readableBytesView
            offset += chunk.readableBytes
        }
        #expect(bytes == stored.bodyBytes)
        #expect(verifier.matches())
        #expect(throws: DiskTierError.self) { try file.read(at: 599_999, count: 2) }
        // Small objects are still read whole.
        let small = object("small", bodySize: 500)
        try tier.write(small)
        #expect(try #require(tier.read(small.storageKey, streamAbove: 100_000)).fileBody == nil)
    }

    /// A flipped body byte is not seen at lookup (the body is not read), but by the reader of the whole body;
    /// `discardCorrupt` then removes the file as a corrupt read would. A wrong size is seen at lookup.
    @Test func aStreamedBodyWithAFlippedByteFailsItsCheckAndATruncatedFileIsAMiss() throws {
        let directory = try TemporaryDirectory()
        let log = EventLog()
        let tier = try DiskTier(directory: directory.path, capacityBytes: 10_000_000, onEvent: log.handler)
        let stored = object("big", bodySize: 300_000)
        try tier.write(stored)
        let path = tier.filePath(forStorageKey: stored.storageKey)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - ObjectFileCodec.checksumLength - 10] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let file = try #require(tier.read(stored.storageKey, streamAbove: 1_000)?.fileBody)
        var verifier = try #require(file.verifier())
        verifier.update(try file.read(at: 0, count: file.length))
        #expect(!verifier.matches())
        tier.discardCorrupt(stored.storageKey, reason: "test")
        #expect(!tier.contains(stored.storageKey) && !FileManager.default.fileExists(atPath: path))
        #expect(log.all.contains { if case .removedInvalidFile(path, _) = $0 { true } else { false } })

        let other = object("other", bodySize: 300_000)
        try tier.write(other)
        let otherPath = tier.filePath(forStorageKey: other.storageKey)
        let whole = try Data(contentsOf: URL(fileURLWithPath: otherPath))
        try whole.prefix(whole.count - 100).write(to: URL(fileURLWithPath: otherPath))
        #expect(tier.read(other.storageKey, streamAbove: 1_000) == nil)
        #expect(!FileManager.default.fileExists(atPath: otherPath))
    }

    /// New headers for an object whose body is in its file (a revalidation) are written by copying the body
    /// from the old file in pieces; the result reads back whole and verified.
    @Test func aFileBackedObjectIsRewrittenByCopyingItsBody() throws {
        let directory = try TemporaryDirectory()
        let tier = try DiskTier(directory: directory.path, capacityBytes: 10_000_000)
        let stored = object("big", bodySize: 700_000)
        try tier.write(stored)
        let streamed = try #require(tier.read(stored.storageKey, streamAbove: 1_000))
        var headers = streamed.headers
        headers.replaceOrAdd(name: "x-refreshed", value: "1")
        let refreshed = streamed.replacing(headers: headers, requestTime: 5, responseTime: 6)
        #expect(try tier.write(refreshed))
        let read = try #require(tier.read(stored.storageKey))  // whole, checksum verified
        #expect(read.fileBody == nil)
        #expect(read.bodyBytes == stored.bodyBytes)
        #expect(read.headers.first(name: "x-refreshed") == "1")
        #expect(read.responseTime == 6)
    }

    @Test func aFileDeletedBehindTheTiersBackIsAMiss() throws {
        let directory = try TemporaryDirectory()
        let tier = try DiskTier(directory: directory.path, capacityBytes: 1_000_000)
        let stored = object("a")
        try tier.write(stored)
        try FileManager.default.removeItem(atPath: tier.filePath(forStorageKey: stored.storageKey))
        #expect(tier.read(stored.storageKey) == nil)
        #expect(tier.stats.objects == 0)
    }

    @Test func overwriteReplacesTheFileAndTheAccounting() throws {
        let directory = try TemporaryDirectory()
        let tier = try DiskTier(directory: directory.path, capacityBytes: 1_000_000)
        try tier.write(object("a", bodySize: 100))
        let bigger = object("a", bodySize: 3000)
        try tier.write(bigger)
        #expect(tier.read(bigger.storageKey)?.body.readableBytes == 3000)
        #expect(tier.stats == TierStats(objects: 1, bytes: try fileSize(bigger), capacityBytes: 1_000_000))
        #expect(directory.files().count == 1)
    }

    @Test func objectLargerThanCapacityIsNotStoredAndDropsTheOldVersion() throws {
        let directory = try TemporaryDirectory()
        let tier = try DiskTier(directory: directory.path, capacityBytes: 5000)
        try tier.write(object("a", bodySize: 100))
        #expect(try tier.write(object("a", bodySize: 10_000)) == false)
        #expect(!tier.contains(object("a").storageKey))
        #expect(directory.files().isEmpty)
        #expect(tier.stats.bytes == 0)
    }

    @Test func removeVariantsAndEverything() throws {
        let directory = try TemporaryDirectory()
        let tier = try DiskTier(directory: directory.path, capacityBytes: 1_000_000)
        let gzip = object("a", variant: "gzip", vary: ["accept-encoding"])
        let identity = object("a", variant: "identity", vary: ["accept-encoding"])
        let other = object("b")
        for item in [gzip, identity, other] { try tier.write(item) }
        #expect(tier.variantIndex().map(\.primaryKey) == [gzip.primaryKey, other.primaryKey])
        #expect(tier.storageKeys(wherePrimaryKeyHasPrefix: "http://example.com/a") == [gzip.storageKey,
                                                                                        identity.storageKey])

        #expect(tier.remove(primaryKey: gzip.primaryKey) == 2)
        #expect(tier.variantKeys(forPrimaryKey: gzip.primaryKey).isEmpty)
        #expect(tier.varyFields(forPrimaryKey: gzip.primaryKey) == nil)
        #expect(directory.files().count == 1)
        #expect(tier.remove(other.storageKey))
        #expect(!tier.remove(other.storageKey))

        try tier.write(gzip)
        try tier.write(other)
        tier.removeAll()
        #expect(directory.files().isEmpty)
        #expect(tier.stats.objects == 0)
        #expect(tier.stats.bytes == 0)
    }

    @Test func aFailedWriteIsATypedErrorAndLeavesNoFile() throws {
        let directory = try TemporaryDirectory()
        let tier = try DiskTier(directory: directory.path, capacityBytes: 1_000_000)
        let stored = object("a")
        // Occupy the object's first-level shard name with a regular file so nothing can be created below it.
        let name = DiskPaths.name(forStorageKey: stored.storageKey)
        let shard = directory.path + "/" + String(name.prefix(2))
        #expect(FileManager.default.createFile(atPath: shard, contents: Data([0])))

        let error = #expect(throws: DiskTierError.self) { try tier.write(stored) }
        #expect(error?.kind == .notADirectory)
        #expect(error?.path.hasPrefix(shard + "/") == true)
        #expect(error?.errno == ENOTDIR)
        #expect(!tier.contains(stored.storageKey))
        #expect(directory.files() == [String(name.prefix(2))])
        #expect(tier.stats.bytes == 0)
    }

    @Test func errnoClassification() {
        #expect(DiskTierError(errno: ENOSPC, operation: "write", path: "/p").kind == .noSpace)
        #expect(DiskTierError(errno: EACCES, operation: "open", path: "/p").kind == .permissionDenied)
        #expect(DiskTierError(errno: EIO, operation: "read", path: "/p").kind == .ioError)
        #expect(DiskTierError(errno: EROFS, operation: "create", path: "/p").kind == .readOnlyFileSystem)
        let description = DiskTierError(errno: ENOSPC, operation: "write", path: "/cache/ab").description
        #expect(description.contains("/cache/ab"))
        #expect(description.contains("write"))
    }

    /// Concurrent writers, readers and removers over a small key set and a tight capacity; afterwards the
    /// index must agree with the files on disk (no orphan file, no entry without a file), which a restart
    /// scan checks independently.
    @Test func concurrentUseKeepsIndexAndFilesInStep() throws {
        let directory = try TemporaryDirectory()
        let size = try fileSize(object("k100"))
        let tier = try DiskTier(directory: directory.path, capacityBytes: size * 8)
        let objects = (0..<20).map { object("k\(100 + $0)") }
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            var generator = SplitMix64(state: UInt64(worker + 10))
            for _ in 0..<300 {
                let item = objects[Int.random(in: 0..<objects.count, using: &generator)]
                switch Int.random(in: 0..<10, using: &generator) {
                case 0..<5: _ = try? tier.write(item)
                case 5..<8: _ = tier.read(item.storageKey)
                default: _ = tier.remove(item.storageKey)
                }
            }
        }
        let stats = tier.stats
        #expect(stats.bytes <= stats.capacityBytes)
        #expect(directory.files().count == stats.objects)
        let restarted = try DiskTier(directory: directory.path, capacityBytes: size * 8)
        #expect(restarted.stats == stats)
        #expect(restarted.rebuildReport.removedInvalidFiles == 0)
        #expect(restarted.rebuildReport.removedTemporaryFiles == 0)
        for item in objects where tier.contains(item.storageKey) {
            #expect(restarted.read(item.storageKey)?.bodyBytes == item.bodyBytes)
        }
    }
}
