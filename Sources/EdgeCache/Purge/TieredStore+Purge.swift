/// What applying a purge did to one node's store.
public struct PurgeEffect: Sendable, Equatable {
    /// Objects (variants) removed from memory and/or disk.
    public var removed: Int
    /// Objects left in place but now stale by the ledger's verdict (soft purges).
    public var marked: Int

    public init(removed: Int = 0, marked: Int = 0) {
        self.removed = removed
        self.marked = marked
    }
}

extension TieredStore {
    /// Applies a purge to the stored objects: a hard purge removes every object in scope from both tiers; a soft
    /// purge changes nothing here (the ledger's verdict marks the objects) and counts what it covers.
    ///
    /// Record the command in the node's ledger first: a fetch in flight may store an old object right after
    /// this returns, and only the ledger refuses it. A hard purge removes objects regardless of fetch time, so
    /// re-applying an old command costs misses, never staleness. Blocking (disk): call it off the event loops.
    public func apply(_ command: PurgeCommand) -> PurgeEffect {
        switch command.mode {
        case .hard:
            let removed: Int
            switch command.scope {
            case .url(let key):
                removed = storageKeys(forPrimaryKey: key).count
                remove(primaryKey: key)
            case .prefix(let prefix):
                removed = remove(wherePrimaryKeyHasPrefix: prefix)
            case .tag(let tag):
                removed = remove(taggedWith: tag)
            case .all:
                removed = remove(wherePrimaryKeyHasPrefix: "")
                removeAll()
            }
            return PurgeEffect(removed: removed)
        case .soft:
            return PurgeEffect(marked: storageKeys(in: command.scope).count)
        }
    }

    /// The distinct storage keys in scope across both tiers. Index queries only, no file I/O.
    public func storageKeys(in scope: PurgeScope) -> Set<String> {
        switch scope {
        case .url(let key):
            storageKeys(forPrimaryKey: key)
        case .prefix(let prefix):
            Set(memory.storageKeys(wherePrimaryKeyHasPrefix: prefix))
                .union(disk?.storageKeys(wherePrimaryKeyHasPrefix: prefix) ?? [])
        case .tag(let tag):
            Set(memory.storageKeys(taggedWith: tag)).union(disk?.storageKeys(taggedWith: tag) ?? [])
        case .all:
            Set(memory.storageKeys(wherePrimaryKeyHasPrefix: ""))
                .union(disk?.storageKeys(wherePrimaryKeyHasPrefix: "") ?? [])
        }
    }

    private func storageKeys(forPrimaryKey key: String) -> Set<String> {
        let variants = Set(memory.variantKeys(forPrimaryKey: key)).union(disk?.variantKeys(forPrimaryKey: key) ?? [])
        return Set(variants.map { CachedObject.storageKey(primaryKey: key, variantKey: $0) })
    }
}
