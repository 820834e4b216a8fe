import EdgeCache
import EdgeUpstream
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// Writes an object already in memory through to disk, on the I/O pool.
    func writeThrough(_ object: CachedObject, evicted: [CachedObject]) async {
        let store = self.store
        do {
            _ = try await ioPool.runIfActive { store.writeThrough(object, evicted: evicted) }
        } catch {
            logger.error("writing object to disk failed", metadata: ["key": "\(object.primaryKey)", "error": "\(error)"])
        }
    }

    /// Stores an object on the I/O pool (memory insert, disk write for large or demoted objects).
    func persist(_ object: CachedObject) async {
        let store = self.store
        do {
            _ = try await ioPool.runIfActive { store.store(object) }
        } catch {
            logger.error("storing object failed", metadata: ["key": "\(object.primaryKey)", "error": "\(error)"])
        }
    }

    func remove(primaryKey: String, variantKey: String) async {
        let store = self.store
        do {
            try await ioPool.runIfActive { store.remove(primaryKey: primaryKey, variantKey: variantKey) }
        } catch {
            logger.error("removing object failed", metadata: ["key": "\(primaryKey)", "error": "\(error)"])
        }
    }

    /// Invalidates every stored variant of a URL (unsafe methods, RFC 9111 §4.4).
    func invalidate(primaryKey: String) async {
        let store = self.store
        do {
            try await ioPool.runIfActive { store.remove(primaryKey: primaryKey) }
        } catch {
            logger.error("invalidating object failed", metadata: ["key": "\(primaryKey)", "error": "\(error)"])
        }
    }
}
