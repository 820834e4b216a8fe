#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import NIOCore
import Synchronization

/// The disk tier: a byte-bounded LRU of one file per object under a directory.
///
/// Every method blocks on file I/O; call them from a thread pool, never an event loop. The index lives in
/// memory behind a mutex that is never held during I/O, and is rebuilt from file metadata at start, so a
/// restarted node serves what it had on disk at once. Files are written atomically and checked on every read,
/// so a crash, a full disk or a damaged sector costs a miss, never a wrong or partial response.
public final class DiskTier: Sendable {
    public let directory: String
    /// Bytes of object files (as encoded, checksums included) the tier may hold.
    public let capacityBytes: Int
    /// Objects the tier may hold: the bound on its in-memory index, whose entries (keys, tags, bookkeeping;
    /// about 800 B each with short URLs) are not in the file bytes. Least recently used objects go first.
    public let maxObjects: Int

    /// The object bound when none is configured: one object per `defaultBytesPerObject` of capacity, at least
    /// `minimumDefaultMaxObjects`. A 1 GiB tier indexes at most 65,536 objects, about 55 MB of index.
    public static func defaultMaxObjects(capacityBytes: Int) -> Int {
        max(minimumDefaultMaxObjects, capacityBytes / defaultBytesPerObject)
    }

    public static let defaultBytesPerObject = 16 << 10
    public static let minimumDefaultMaxObjects = 1_024
    /// What the start-up scan loaded and cleaned.
    public let rebuildReport: DiskRebuildReport

    private let paths: DiskPaths
    private let index: Mutex<DiskIndex>
    private let keyLocks = StripedLocks()
    private let evictionCount = Atomic<Int>(0)
    private let onEvent: (@Sendable (DiskTierEvent) -> Void)?

    /// Creates `directory` if needed and rebuilds the index from the files in it, deleting leftovers of
    /// interrupted writes and files that are not valid objects. Throws when the directory cannot be created.
    ///
    /// `maxObjects` defaults to `defaultMaxObjects(capacityBytes:)`.
    public init(
        directory: String,
        capacityBytes: Int,
        maxObjects: Int? = nil,
        onEvent: (@Sendable (DiskTierEvent) -> Void)? = nil
    ) throws(DiskTierError) {
        let paths = DiskPaths(root: directory)
        let capacity = max(0, capacityBytes)
        let objectLimit = max(1, maxObjects ?? Self.defaultMaxObjects(capacityBytes: capacity))
        try FileIO.makeDirectories(paths.root)
        self.paths = paths
        self.directory = paths.root
        self.capacityBytes = capacity
        self.maxObjects = objectLimit
        self.onEvent = onEvent

        var report = DiskRebuildReport()
        var rebuilt = DiskIndex(capacityBytes: capacity, maxObjects: objectLimit)
        let found = DiskScan(paths: paths, onEvent: onEvent).run(report: &report)
        // Oldest first, so the most recently stored objects end up most recent and the oldest are evicted
        // if the capacity (or the object bound) shrank since they were written.
        for file in found.sorted(by: { $0.entry.storedAt < $1.entry.storedAt }) {
            for evictedKey in rebuilt.insert(file.storageKey, file.entry) {
                Self.removeFile(paths.file(forName: DiskPaths.name(forStorageKey: evictedKey)), onEvent: onEvent)
                report.evictedObjects += 1
            }
        }
        report.loadedObjects = rebuilt.entries.count
        report.loadedBytes = rebuilt.lru.totalBytes
        if report.evictedObjects > 0 {
            let foundBytes = found.reduce(0) { $0 + $1.entry.fileBytes }
            onEvent?(.evictedAtStartup(count: report.evictedObjects, bytes: foundBytes - report.loadedBytes))
        }
        self.rebuildReport = report
        self.index = Mutex(rebuilt)
    }

    // MARK: Reading

    /// Reads and verifies an object. A missing, corrupt or unreadable file is a miss: it leaves the index, and
    /// a corrupt file is deleted. Marks the object most recently used.
    ///
    /// A file larger than `streamAbove` bytes is not read whole: its header and metadata are read and checked
    /// (and its size against theirs), and the object comes back with its body left in the file (`FileBody`),
    /// to be read in pieces as it is sent; its checksum is verified by a reader of the whole body.
    public func read(_ storageKey: String, streamAbove: Int = .max) -> CachedObject? {
        guard contains(storageKey) else { return nil }
        let name = DiskPaths.name(forStorageKey: storageKey)
        let path = paths.file(forName: name)
        var evicted: [String] = []
        let object = keyLocks.withLock(forName: name) { () -> CachedObject? in
            // Re-check under the key's lock: a removal may have won the race since the check above.
            guard let entry = index.withLock({ $0.entries[storageKey] }) else { return nil }
            if entry.fileBytes > streamAbove {
                return openStreamed(storageKey, path: path, verified: entry.verified, evicted: &evicted)
            }
            let bytes: ByteBuffer
            do throws(DiskTierError) {
                bytes = try FileIO.readFile(path, maxBytes: capacityBytes)
            } catch {
                handleReadFailure(error, storageKey: storageKey, path: path)
                return nil
            }
            do {
                let object = try ObjectFileCodec.decode(bytes)
                guard object.storageKey == storageKey else {
                    throw ObjectFileCodecError.malformedMetadata("file holds another key")
                }
                evicted = index.withLock { $0.touch(storageKey, actualBytes: bytes.readableBytes) }
                evictionCount.add(evicted.count, ordering: .relaxed)
                return object
            } catch {
                index.withLock { _ = $0.remove(storageKey) }
                Self.removeFile(path, onEvent: onEvent)
                onEvent?(.removedInvalidFile(path: path, reason: "\(error)"))
                return nil
            }
        }
        removeEvicted(evicted)
        return object
    }

    /// The object with its body left in the file. Must be called with the key's lock held.
    private func openStreamed(_ storageKey: String, path: String, verified: Bool,
                              evicted: inout [String]) -> CachedObject? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            handleReadFailure(DiskTierError(errno: errno, operation: "open", path: path), storageKey: storageKey,
                              path: path)
            return nil
        }
        do throws(DiskTierError) {
            let (object, fileSize) = try Self.streamedObject(descriptor: descriptor, path: path, storageKey: storageKey,
                                                             verified: verified)
            evicted = index.withLock { $0.touch(storageKey, actualBytes: fileSize) }
            evictionCount.add(evicted.count, ordering: .relaxed)
            return object
        } catch {
            close(descriptor)
            if case .corrupt = error.kind {
                discardCorrupt(storageKey, reason: error.description, keyLockHeld: true)
            } else {
                handleReadFailure(error, storageKey: storageKey, path: path)
            }
            return nil
        }
    }

    /// Reads header, metadata and checksum trailer through `descriptor`; the object owns the descriptor after.
    private static func streamedObject(descriptor: Int32, path: String, storageKey: String,
                                       verified: Bool) throws(DiskTierError) -> (CachedObject, Int) {
        func corrupt(_ reason: String) -> DiskTierError {
            DiskTierError(kind: .corrupt(reason), operation: "read", path: path)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw DiskTierError(errno: errno, operation: "fstat", path: path) }
        let fileSize = Int(info.st_size)
        let header = try FileIO.read(descriptor, at: 0, count: min(fileSize, ObjectFileCodec.fixedHeaderLength),
                                     path: path)
        let layout: ObjectFileCodec.Layout
        do { layout = try ObjectFileCodec.layout(of: header) } catch { throw corrupt(error.description) }
        guard fileSize == layout.totalLength else {
            throw corrupt("file is \(fileSize) bytes, its header says \(layout.totalLength)")
        }
        let prefix = try FileIO.read(descriptor, at: 0, count: layout.metadataEnd, path: path)
        let metadata: ObjectMetadata
        do { metadata = try ObjectFileCodec.decodeMetadata(prefix: prefix) } catch { throw corrupt(error.description) }
        guard CachedObject.storageKey(primaryKey: metadata.primaryKey, variantKey: metadata.variantKey) == storageKey
        else { throw corrupt("file holds another key") }
        let trailer = try FileIO.read(descriptor, at: layout.bodyEnd, count: ObjectFileCodec.checksumLength, path: path)
        let body = FileBody(descriptor: descriptor, path: path, storageKey: storageKey, bodyOffset: layout.metadataEnd,
                            length: layout.bodyLength, prefix: prefix, expectedDigest: Array(trailer.readableBytesView),
                            verified: verified)
        return (metadata.makeObject(body: ByteBuffer(), fileBody: body), fileSize)
    }

    /// How many times the object's file has been read (hits) since it was stored or found at start-up.
    public func reads(of storageKey: String) -> Int {
        index.withLock { $0.entries[storageKey]?.reads ?? 0 }
    }

    /// Records that a streamed body matched its checksum, so later reads of the same file skip the check.
    public func markVerified(_ storageKey: String) {
        index.withLock { $0.markVerified(storageKey) }
    }

    /// Removes an object whose file turned out corrupt (a streamed body whose checksum did not match), reporting
    /// it as the read path reports a corrupt file.
    public func discardCorrupt(_ storageKey: String, reason: String) {
        discardCorrupt(storageKey, reason: reason, keyLockHeld: false)
    }

    private func discardCorrupt(_ storageKey: String, reason: String, keyLockHeld: Bool) {
        let name = DiskPaths.name(forStorageKey: storageKey)
        let path = paths.file(forName: name)
        let discard = {
            self.index.withLock { _ = $0.remove(storageKey) }
            Self.removeFile(path, onEvent: self.onEvent)
            self.onEvent?(.removedInvalidFile(path: path, reason: reason))
        }
        if keyLockHeld { discard() } else { keyLocks.withLock(forName: name, discard) }
    }

    /// Must be called with the key's lock held.
    private func handleReadFailure(_ error: DiskTierError, storageKey: String, path: String) {
        switch error.errno {
        case ENOENT:
            index.withLock { _ = $0.remove(storageKey) }
        case EMFILE, ENFILE, ENOMEM, EAGAIN:
            // Resource pressure, not a bad file: a miss now, the file stays for later reads.
            onEvent?(.readFailed(error))
        default:
            onEvent?(.readFailed(error))
            index.withLock { _ = $0.remove(storageKey) }
            Self.removeFile(path, onEvent: onEvent)
        }
    }

    // MARK: Writing and removing

    /// Writes `object` atomically, replacing any file for its storage key, and evicts least recently used files
    /// beyond the capacity. Returns `false` (storing nothing) when the encoded object alone exceeds the capacity.
    ///
    /// On failure nothing partial remains and the previous version of the key is removed too: the caller was
    /// replacing it, so it must not be served again as if current.
    @discardableResult
    public func write(_ object: CachedObject) throws(DiskTierError) -> Bool {
        let storageKey = object.storageKey
        let name = DiskPaths.name(forStorageKey: storageKey)
        let path = paths.file(forName: name)
        if let fileBody = object.fileBody { return try writeCopying(object, body: fileBody, name: name) }
        let encoded: ByteBuffer
        do {
            encoded = try ObjectFileCodec.encode(object)
        } catch {
            remove(storageKey)
            throw DiskTierError(kind: .unencodable(error.description), operation: "encode", path: path)
        }
        guard encoded.readableBytes <= capacityBytes else {
            remove(storageKey)
            return false
        }
        let entry = DiskIndex.Entry(object, fileBytes: encoded.readableBytes)
        var evicted: [String] = []
        try keyLocks.withLock(forName: name) { () throws(DiskTierError) in
            do throws(DiskTierError) {
                try writeFile(encoded, name: name)
            } catch {
                if index.withLock({ $0.remove(storageKey) }) != nil { Self.removeFile(path, onEvent: onEvent) }
                throw error
            }
            evicted = index.withLock { $0.insert(storageKey, entry) }
            evictionCount.add(evicted.count, ordering: .relaxed)
        }
        removeEvicted(evicted)
        return true
    }

    /// Writes an object whose body is in a file (new headers for a streamed object after a revalidation): the
    /// head, then the body copied from the old file a piece at a time, then the checksum — never the whole body
    /// in memory.
    private func writeCopying(_ object: CachedObject, body: FileBody, name: String) throws(DiskTierError) -> Bool {
        let storageKey = object.storageKey
        let path = paths.file(forName: name)
        let head: ByteBuffer
        do {
            head = try ObjectFileCodec.encodeHead(object)
        } catch {
            remove(storageKey)
            throw DiskTierError(kind: .unencodable(error.description), operation: "encode", path: path)
        }
        let total = head.readableBytes + body.length + ObjectFileCodec.checksumLength
        guard total <= capacityBytes else {
            remove(storageKey)
            return false
        }
        let entry = DiskIndex.Entry(object, fileBytes: total)
        var evicted: [String] = []
        try keyLocks.withLock(forName: name) { () throws(DiskTierError) in
            do throws(DiskTierError) {
                let write = { () throws(DiskTierError) in
                    try FileIO.writeAtomically(to: path, via: self.paths.temporaryFile(forName: name)) {
                        (append: (ByteBuffer) throws(DiskTierError) -> Void) throws(DiskTierError) in
                        var hasher = SHA256()
                        head.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                        try append(head)
                        var offset = 0
                        while offset < body.length {
                            let piece = try body.read(at: offset, count: min(FileBody.chunkBytes, body.length - offset))
                            piece.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                            try append(piece)
                            offset += piece.readableBytes
                        }
                        try append(ByteBuffer(bytes: Array(hasher.finalize())))
                    }
                }
                do throws(DiskTierError) {
                    try write()
                } catch where error.errno == ENOENT {
                    try FileIO.makeDirectories(paths.shardDirectory(forName: name))
                    try write()
                }
            } catch {
                if index.withLock({ $0.remove(storageKey) }) != nil { Self.removeFile(path, onEvent: onEvent) }
                throw error
            }
            evicted = index.withLock { $0.insert(storageKey, entry) }
            evictionCount.add(evicted.count, ordering: .relaxed)
        }
        removeEvicted(evicted)
        return true
    }

    /// Writes the file, creating its shard directories only when the first attempt finds them missing.
    private func writeFile(_ encoded: ByteBuffer, name: String) throws(DiskTierError) {
        let path = paths.file(forName: name)
        do {
            try FileIO.writeAtomically(encoded, to: path, via: paths.temporaryFile(forName: name))
        } catch where error.errno == ENOENT {
            try FileIO.makeDirectories(paths.shardDirectory(forName: name))
            try FileIO.writeAtomically(encoded, to: path, via: paths.temporaryFile(forName: name))
        }
    }

    /// Removes one object. Returns whether it was present.
    @discardableResult
    public func remove(_ storageKey: String) -> Bool {
        // The common case (every memory store clears a superseded disk copy) is a key that is not here: answer
        // it from the index without hashing the key or taking its I/O lock.
        guard contains(storageKey) else { return false }
        let name = DiskPaths.name(forStorageKey: storageKey)
        return keyLocks.withLock(forName: name) {
            guard index.withLock({ $0.remove(storageKey) }) != nil else { return false }
            Self.removeFile(paths.file(forName: name), onEvent: onEvent)
            return true
        }
    }

    /// Removes every variant of `primaryKey`; returns how many objects were removed.
    @discardableResult
    public func remove(primaryKey: String) -> Int {
        let keys = index.withLock { index in
            index.variants.variantKeys(of: primaryKey).map {
                CachedObject.storageKey(primaryKey: primaryKey, variantKey: $0)
            }
        }
        return keys.filter { remove($0) }.count
    }

    /// Removes every object.
    public func removeAll() {
        let keys = index.withLock { $0.removeAll() }
        removeEvicted(keys)
    }

    /// Deletes the files of keys already dropped from the index, unless a concurrent write has stored the key
    /// again since (then the file on disk is that newer object).
    private func removeEvicted(_ keys: [String]) {
        for key in keys {
            let name = DiskPaths.name(forStorageKey: key)
            keyLocks.withLock(forName: name) {
                guard !contains(key) else { return }
                Self.removeFile(paths.file(forName: name), onEvent: onEvent)
            }
        }
    }

    static func removeFile(_ path: String, onEvent: (@Sendable (DiskTierEvent) -> Void)?) {
        do {
            try FileIO.removeFile(path)
        } catch {
            onEvent?(.removeFailed(error))
        }
    }

    // MARK: Index queries (no I/O)

    public func contains(_ storageKey: String) -> Bool {
        index.withLock { $0.entries[storageKey] != nil }
    }

    public var stats: TierStats {
        index.withLock {
            TierStats(objects: $0.entries.count, bytes: $0.lru.totalBytes, capacityBytes: capacityBytes,
                      evictions: evictionCount.load(ordering: .relaxed))
        }
    }

    /// The variant keys on disk for `primaryKey`, sorted.
    public func variantKeys(forPrimaryKey primaryKey: String) -> [String] {
        index.withLock { $0.variants.variantKeys(of: primaryKey) }
    }

    /// The Vary field list of the most recently stored variant of `primaryKey`; `nil` when none is on disk.
    public func varyFields(forPrimaryKey primaryKey: String) -> [String]? {
        index.withLock { index in
            index.variants.variantKeys(of: primaryKey)
                .compactMap { index.entries[CachedObject.storageKey(primaryKey: primaryKey, variantKey: $0)] }
                .max { $0.storedAt < $1.storedAt }?
                .varyFields
        }
    }

    /// The index of primary keys (those starting with `prefix`) and their variant keys, both sorted.
    public func variantIndex(wherePrimaryKeyHasPrefix prefix: String = "") -> [(primaryKey: String, variantKeys: [String])] {
        index.withLock { index in
            index.variants.primaryKeys(withPrefix: prefix).map { ($0, index.variants.variantKeys(of: $0)) }
        }
    }

    /// Storage keys of every object whose primary key starts with `prefix`, for prefix purges.
    public func storageKeys(wherePrimaryKeyHasPrefix prefix: String) -> [String] {
        variantIndex(wherePrimaryKeyHasPrefix: prefix).flatMap { primaryKey, variantKeys in
            variantKeys.map { CachedObject.storageKey(primaryKey: primaryKey, variantKey: $0) }
        }
    }

    /// Storage keys of every object carrying `tag`, for tag purges. A linear scan: purges are rare.
    public func storageKeys(taggedWith tag: String) -> [String] {
        index.withLock { index in
            index.entries.filter { $0.value.tags.contains(tag) }.map(\.key).sorted()
        }
    }

    /// Where the object for `storageKey` lives (whether or not it is stored), for operators and tests.
    public func filePath(forStorageKey storageKey: String) -> String {
        paths.file(forName: DiskPaths.name(forStorageKey: storageKey))
    }
}
