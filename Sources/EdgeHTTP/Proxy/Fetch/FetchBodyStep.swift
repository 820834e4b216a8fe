import EdgeCache
import EdgeCore
import EdgeUpstream
import Foundation
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// fetchbody: a storable response. Its head is published to the waiting requests at once, and its body
    /// streams through one shared body that this client, the followers and the cache all read; the pump that
    /// fills it ends in `fetchEnd`.
    func fetchBody(_ response: UpstreamResponse, instructions: StoreInstructions, headers: HTTPHeaders,
                   _ flow: inout FetchFlow) {
        let request = flow.request
        var responseHeaders = headers
        // A shield reports when it got its copy from the origin; a copy older than a purge must not count as new.
        let originFetchedAt = OriginFetchTime.effective(
            requestTime: flow.requestTime, header: response.headers.first(name: OriginFetchTime.headerName))
        let varyFields = instructions.varyFields
        let storedVariant = varyFields.isEmpty ? "" : Vary.secondaryKey(fields: varyFields,
                                                                        request: request.head.headers)
        let body = SharedBody(spill: fillSpill)
        var sharedHeaders = instructions.headers
        let fetchedAtText = OriginFetchTime.format(originFetchedAt)
        sharedHeaders.replaceOrAdd(name: OriginFetchTime.headerName, value: fetchedAtText)
        responseHeaders.replaceOrAdd(name: OriginFetchTime.headerName, value: fetchedAtText)
        let head = FetchedHead(status: response.status, sharedHeaders: sharedHeaders,
                               varyFields: varyFields, variantKey: storedVariant,
                               upstreamSeconds: response.firstByteSeconds, requestTime: flow.requestTime,
                               responseTime: flow.responseTime, stored: true, originFetchedAt: originFetchedAt)
        flow.publish(.shared(head, body))
        flow.lockHandedToPump = true
        startPump(response.body, into: body, head: head, primaryKey: flow.key.primary,
                  tags: PurgeTags.from(instructions.headers), lock: flow.lock, executor: request.executor)

        let age = Freshness.currentAge(responseHeaders: responseHeaders, requestTime: flow.requestTime,
                                       responseTime: flow.responseTime, now: flow.responseTime)
        var entry = fillEntry(flow, fwdStatus: response.status)
        entry.stored = true
        entry.ttl = Int(instructions.freshnessLifetime - age)
        let client = ProxyResponse(status: HTTPResponseStatus(statusCode: response.status), headers: responseHeaders,
                                   body: request.isHead ? .empty : .shared(body.makeReader()),
                                   phase: flow.stale == nil ? .miss : .expired,
                                   upstreamSeconds: response.firstByteSeconds)
            // Coded as it streams (in finish); the coded output is stored as the base's variant at the end.
            .stamped(ResponseStamp(entry: entry, age: age,
                                   source: .upstream(fill: FillContext(primaryKey: flow.key.primary, head: head))))
        flow.step = .done(client)
    }

    /// Reads the upstream body into the shared body that clients stream from, then runs `fetchEnd`.
    ///
    /// The pump belongs to the fetch, not to any one client: a client that disconnects does not stop the object
    /// from being stored for the next ones (as Varnish's fetch thread outlives the client that caused it).
    ///
    /// It runs on `executor` when given: the leading client's event loop, where the upstream connection is too.
    func startPump(_ upstreamBody: UpstreamBody, into body: SharedBody, head: FetchedHead, primaryKey: String,
                   tags: [String], lock: FillLock?, executor: (any TaskExecutor)?) {
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
                    await body.appendSpilling(chunk)
                }
            } catch {
                body.fail(error)
                logger.warning("upstream body failed; object not stored", metadata: [
                    "key": "\(primaryKey)", "error": "\(error)",
                ])
                return
            }
            // A body that spilled is stored from its file (copied into the disk tier a piece at a time).
            let storageKey = CachedObject.storageKey(primaryKey: primaryKey, variantKey: head.variantKey)
            let fileBody = body.spilledBody(storageKey: storageKey)
            guard let bytes = fileBody != nil ? ByteBuffer() : body.contents() else {
                // Spilling failed midway (disk full, read-only): the clients got the whole body, nothing is stored.
                body.finish()
                logger.warning("large fill not stored: its spill file is incomplete", metadata: ["key": "\(primaryKey)"])
                return
            }
            let object = CachedObject(
                primaryKey: primaryKey, variantKey: head.variantKey, varyFields: head.varyFields,
                status: head.status, headers: head.sharedHeaders, body: bytes,
                requestTime: head.requestTime, responseTime: head.responseTime, storedAt: now(),
                tags: tags, generation: CachedObject.generation(forOriginFetch: head.originFetchedAt),
                fileBody: fileBody)
            await fetchEnd(object, body: body, release: release)
        }
    }

    /// Where a fill larger than the memory tier's largest object goes while it arrives (see `BodySpill`): the
    /// disk tier's directory, or the system's temporary directory when there is no disk tier.
    var fillSpill: BodySpill {
        let ioPool = self.ioPool
        let store = self.store
        return BodySpill(above: store.memory.maxObjectBytes,
                         directory: store.disk?.directory ?? Self.temporaryDirectory,
                         onFault: { store.reportDiskWriteError($0) }) { work in
            try await ioPool.runIfActive(work)
        }
    }

    /// The system's temporary directory, looked up once (not once per fill).
    static let temporaryDirectory = FileManager.default.temporaryDirectory.path

    /// fetchend: the whole body is in. A purge that arrived while it was fetched wins (the object is served
    /// to the clients that asked for it, but not stored); otherwise it goes into memory before clients see the
    /// end of the body, and the lock is released before the (fsync'd) disk write: a client that has read the
    /// whole response always finds it cached, and nobody waits for the disk.
    private func fetchEnd(_ object: CachedObject, body: SharedBody, release: () -> Void) async {
        guard purgeVerdict(object) != .purged else {
            body.finish()
            logger.info("purged while in flight; not stored", metadata: ["key": "\(object.primaryKey)"])
            return
        }
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
