import EdgeCache
import EdgeUpstream
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// Reads the upstream body into the shared body that clients stream from, then stores the object.
    ///
    /// The pump belongs to the fetch, not to any one client: a client that disconnects does not stop the object
    /// from being stored for the next ones (as Varnish's fetch thread outlives the client that caused it).
    ///
    /// It runs on `executor` when given: the leading client's event loop, where the upstream connection is too.
    func startPump(_ upstreamBody: UpstreamBody, into body: SharedBody, head: FetchedHead, primaryKey: String,
                   tags: [String], lock: (key: String, fetch: InflightFetch<FetchedHead>)?,
                   executor: (any TaskExecutor)?) {
        Task(executorPreference: executor) { [self] in
            var released = false
            func release() {
                guard let lock, !released else { return }
                released = true
                self.inflight.finish(lock.key, lock.fetch)
            }
            defer { release() }
            do {
                for try await chunk in upstreamBody {
                    body.append(chunk)
                }
            } catch {
                body.fail(error)
                logger.warning("upstream body failed; object not stored", metadata: [
                    "key": "\(primaryKey)", "error": "\(error)",
                ])
                return
            }
            guard let bytes = body.contents() else { return }
            let object = CachedObject(
                primaryKey: primaryKey, variantKey: head.variantKey, varyFields: head.varyFields,
                status: head.status, headers: head.sharedHeaders, body: bytes,
                requestTime: head.requestTime, responseTime: head.responseTime, storedAt: now(),
                tags: tags, generation: CachedObject.generation(forOriginFetch: head.originFetchedAt))
            // A purge that arrived while this was being fetched wins: the object is served to the clients that
            // asked for it, but not stored.
            guard purgeVerdict(object) != .purged else {
                body.finish()
                logger.info("purged while in flight; not stored", metadata: ["key": "\(primaryKey)"])
                return
            }
            // The object goes into memory before clients see the end of the body, and the lock is released
            // before the (fsync'd) disk write: a client that has read the whole response always finds it cached,
            // and nobody waits for the disk.
            if let evicted = store.insertInMemory(object) {
                // The purge may have been recorded between the check above and the insert: look again.
                if purgeVerdict(object) == .purged {
                    store.memory.remove(object.storageKey)
                    body.finish()
                    return
                }
                release()
                body.finish()
                await writeThrough(object, evicted: evicted)
            } else {
                body.finish()
                await persist(object)
                if purgeVerdict(object) == .purged {
                    await remove(primaryKey: object.primaryKey, variantKey: object.variantKey)
                }
            }
        }
    }

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
