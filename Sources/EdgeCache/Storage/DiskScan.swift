/// The start-up walk over the disk tier's directory that finds the objects to index.
///
/// It reads only the fixed header and metadata of each file, and checks the file's size against the lengths
/// the header declares, so a truncated file is caught without reading its body (the body's checksum is then
/// verified on the first read). Leftover temporary files, files that fail these checks and anything else inside
/// the shard directories are deleted. Entries at the top level that are not shard directories are only
/// reported: the directory might be shared by mistake, and deleting someone else's files is worse than a
/// warning.
struct DiskScan {
    struct Found {
        var storageKey: String
        var entry: DiskIndex.Entry
    }

    private struct Rejection: Error, CustomStringConvertible {
        var description: String
    }

    /// Large enough for the metadata of nearly every object, so most files take a single read.
    static let prefixReadBytes = 4096

    let paths: DiskPaths
    let onEvent: (@Sendable (DiskTierEvent) -> Void)?

    func run(report: inout DiskRebuildReport) -> [Found] {
        guard let top = FileIO.listDirectory(paths.root) else { return [] }
        var found: [Found] = []
        for first in top.sorted() {
            let firstPath = paths.root + "/" + first
            guard DiskPaths.isShardName(first), let seconds = FileIO.listDirectory(firstPath) else {
                report.skippedForeignEntries += 1
                onEvent?(.skippedForeignEntry(path: firstPath))
                continue
            }
            for second in seconds.sorted() {
                let secondPath = firstPath + "/" + second
                guard DiskPaths.isShardName(second), let names = FileIO.listDirectory(secondPath) else {
                    removeInvalid(secondPath, reason: "not a shard directory", report: &report)
                    continue
                }
                for name in names {
                    scanFile(named: name, in: secondPath, shard: first + second, report: &report, into: &found)
                }
            }
        }
        return found
    }

    private func scanFile(
        named name: String, in directory: String, shard: String,
        report: inout DiskRebuildReport, into found: inout [Found]
    ) {
        let path = directory + "/" + name
        if name.hasPrefix(DiskPaths.temporaryPrefix) {
            DiskTier.removeFile(path, onEvent: onEvent)
            report.removedTemporaryFiles += 1
            onEvent?(.removedTemporaryFile(path: path))
            return
        }
        guard DiskPaths.isObjectName(name), name.hasPrefix(shard) else {
            removeInvalid(path, reason: "not an object file name", report: &report)
            return
        }
        do {
            found.append(try load(path, name: name))
        } catch {
            removeInvalid(path, reason: "\(error)", report: &report)
        }
    }

    private func load(_ path: String, name: String) throws -> Found {
        var (bytes, fileSize) = try FileIO.readPrefix(path, count: Self.prefixReadBytes)
        let layout = try ObjectFileCodec.layout(of: bytes)
        guard fileSize == layout.totalLength else {
            throw Rejection(description: "file has \(fileSize) bytes, its header declares \(layout.totalLength)")
        }
        if bytes.readableBytes < layout.metadataEnd {
            bytes = try FileIO.readPrefix(path, count: layout.metadataEnd).bytes
        }
        let metadata = try ObjectFileCodec.decodeMetadata(prefix: bytes)
        let storageKey = metadata.storageKey
        guard DiskPaths.name(forStorageKey: storageKey) == name else {
            throw Rejection(description: "file name does not match the key it holds")
        }
        return Found(storageKey: storageKey, entry: DiskIndex.Entry(metadata))
    }

    private func removeInvalid(_ path: String, reason: String, report: inout DiskRebuildReport) {
        do {
            try FileIO.removeItem(path)
        } catch {
            onEvent?(.removeFailed(error))
        }
        report.removedInvalidFiles += 1
        onEvent?(.removedInvalidFile(path: path, reason: reason))
    }
}
