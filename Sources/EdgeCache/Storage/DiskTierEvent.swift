/// Something the disk tier cleaned up or could not do, reported through the tier's event handler so the
/// caller decides how to log it (the tier itself never prints).
public enum DiskTierEvent: Sendable, Equatable {
    /// A temporary file left by an interrupted write was deleted at start.
    case removedTemporaryFile(path: String)
    /// A file that is not a complete, valid object of ours (truncated, corrupt, misnamed) was deleted.
    case removedInvalidFile(path: String, reason: String)
    /// An entry at the top of the cache directory that is not ours was left alone.
    case skippedForeignEntry(path: String)
    /// Objects beyond the capacity were evicted at start (the capacity shrank since they were written).
    case evictedAtStartup(count: Int, bytes: Int)
    /// A read failed for a reason other than corruption; the object was dropped from the index (a miss).
    case readFailed(DiskTierError)
    /// A file could not be deleted; it may take space until the next start.
    case removeFailed(DiskTierError)
}

/// What the start-up scan found, for one log line when the node starts.
public struct DiskRebuildReport: Sendable, Equatable {
    public var loadedObjects = 0
    public var loadedBytes = 0
    public var removedTemporaryFiles = 0
    public var removedInvalidFiles = 0
    public var skippedForeignEntries = 0
    public var evictedObjects = 0

    public init() {}
}
