import EdgeCache
import EdgeCompression
import EdgeCore
import NIOCore
import NIOHTTP1

/// Delivery of stored objects in the client's content coding.
///
/// A base that varies by coding is answered, per request, with: the base itself (identity wanted, Range,
/// no-transform, or an encoded base the client accepts); a stored coded variant (a plain hit on another
/// stored object, found in memory on the event loop); a variant compressed now, off the event loop, and
/// stored for the next requests; or the encoded base decoded while it is sent. Freshness and Age always come
/// from the base, so a variant is exactly as fresh as what it was made from.
extension ProxyEngine {
    // MARK: Facts, computed once per object with its delivery template

    /// Removes a variant's internal stamp from the head delivered to clients, and adds `Vary: Accept-Encoding`
    /// to a base that varies by coding (identity answers included, so caches downstream key them apart).
    func compressionFacts(for object: CachedObject, headers: inout HTTPHeaders) -> CompressionFacts {
        let stampValue = headers.first(name: VariantStamp.fieldName)
        if stampValue != nil { headers.remove(name: VariantStamp.fieldName) }
        if object.variantKey.utf8.contains(1) {
            // Under a variant key: a coded variant, delivered as stored (a bad stamp makes it a variant of nothing).
            return CompressionFacts(representation: .plain, variant: stampValue.flatMap { VariantStamp(fieldValue: $0) },
                                    hits: VariantHits())
        }
        let representation = BaseRepresentation.of(status: object.status, headers: object.headers,
                                                   bodyLength: object.bodyLength, policy: compression.policy)
        if representation.variesByCoding { CodedVariants.mergeVary(&headers) }
        return CompressionFacts(representation: representation, variant: nil, hits: nil)
    }

    /// How `request` is answered from a base of `representation`.
    func codedDelivery(for representation: BaseRepresentation, request: ProxyRequest) -> CodedDelivery {
        guard representation.variesByCoding else { return .asStored }
        let headers = request.head.headers
        let preferences = compression.memo.preferences(for: headers)
        // Range and no-transform can only turn a coded answer into the stored one: most requests (identity
        // wanted, or the stored coding accepted) never need those fields looked at.
        let wanted = CodedDelivery.select(for: representation, preferences: preferences, isRange: false,
                                          noTransform: false)
        guard wanted != .asStored else { return .asStored }
        let isRange = request.head.method == .GET && headers.contains(name: "range")
        let noTransform = headers.contains(name: "cache-control") && CacheControl(headers: headers).noTransform
        guard isRange || noTransform else { return wanted }
        return CodedDelivery.select(for: representation, preferences: preferences, isRange: isRange,
                                    noTransform: noTransform)
    }

    // MARK: The three entry points

    /// The event-loop fast path for a fresh base in memory: the base, or its variant when that is in memory
    /// too and made from this base's body and headers. `nil` sends the request to the slow path, which can
    /// read the disk and compress; nothing here allocates beyond an identity hit except the variant's key.
    func deliverImmediately(_ base: CachedObject, to request: ProxyRequest, age: Double,
                            entry: CacheStatusEntry) -> ProxyResponse? {
        let template = deliveryTemplate(for: base)
        switch codedDelivery(for: template.compression.representation, request: request) {
        case .asStored:
            return deliverStored(base, to: request, age: age, entry: entry, phase: .hit, tier: .memory,
                                 negotiate: false, knownTemplate: template)
        case .decode:
            return nil
        case .encode(let coding):
            let key = CodedVariants.variantKey(base: base.variantKey, coding: coding)
            guard let variant = store.lookupInMemory(primaryKey: base.primaryKey, variantKey: key) else { return nil }
            let variantTemplate = deliveryTemplate(for: variant)
            guard let stamp = variantTemplate.compression.variant, stamp.coding == coding, stamp.isMade(from: base),
                  stamp.hasHeaders(of: base) else { return nil }
            return deliverVariant(variant, template: variantTemplate, base: base, to: request, age: age,
                                  entry: entry, phase: .hit, tier: .memory, upstreamSeconds: nil)
        }
    }

    /// The slow path for a servable base (memory or disk): the variant from memory or disk, else compressed now
    /// (whole, with a Content-Length, shared by concurrent requests; or streamed for large bases).
    func deliverNegotiated(_ base: CachedObject, to request: ProxyRequest, age: Double, entry: CacheStatusEntry,
                           phase: CachePhase, tier: TierHit?) async -> ProxyResponse {
        let template = deliveryTemplate(for: base)
        // A body in its disk file is sent as stored (see `deliverStored`).
        guard template.compression.variant == nil, base.fileBody == nil,
              case .encode(let coding) = codedDelivery(for: template.compression.representation, request: request)
        else {
            return deliverStored(base, to: request, age: age, entry: entry, phase: phase, tier: tier,
                                 knownTemplate: template)
        }
        if let variant = await storedVariant(of: base, coding: coding) {
            return deliverVariant(variant, template: deliveryTemplate(for: variant), base: base, to: request,
                                  age: age, entry: entry, phase: phase, tier: tier, upstreamSeconds: nil)
        }
        if base.body.readableBytes > CompressionRuntime.wholeBodyLimit {
            return streamedResponse(base, delivery: .encode(coding), to: request, age: age, entry: entry,
                                    phase: phase, tier: tier, upstreamSeconds: nil)
        }
        if let variant = await buildVariant(of: base, coding: coding) {
            return deliverVariant(variant, template: deliveryTemplate(for: variant), base: base, to: request,
                                  age: age, entry: entry, phase: phase, tier: tier, upstreamSeconds: nil)
        }
        // Compression failed (logged): identity is always acceptable.
        return deliverStored(base, to: request, age: age, entry: entry, phase: phase, tier: tier, negotiate: false,
                             knownTemplate: template)
    }

    /// `deliverStored`'s negotiation, for callers that cannot wait (revalidations, stale-if-error): a variant in
    /// memory, else the base coded while it is sent. `nil` when the base is delivered as stored.
    func deliverCoded(_ base: CachedObject, template: DeliveryTemplate, to request: ProxyRequest, age: Double,
                      entry: CacheStatusEntry, phase: CachePhase, tier: TierHit?,
                      upstreamSeconds: Double?) -> ProxyResponse? {
        let facts = template.compression
        guard facts.variant == nil, facts.representation.variesByCoding else { return nil }
        let delivery = codedDelivery(for: facts.representation, request: request)
        if case .encode(let coding) = delivery,
           let found = store.lookupInMemory(primaryKey: base.primaryKey,
                                            variantKey: CodedVariants.variantKey(base: base.variantKey, coding: coding)),
           let variant = usableVariant(found, coding: coding, base: base) {
            return deliverVariant(variant, template: deliveryTemplate(for: variant), base: base, to: request,
                                  age: age, entry: entry, phase: phase, tier: tier, upstreamSeconds: upstreamSeconds)
        }
        guard delivery != .asStored else { return nil }
        return streamedResponse(base, delivery: delivery, to: request, age: age, entry: entry, phase: phase,
                                tier: tier, upstreamSeconds: upstreamSeconds)
    }

    // MARK: Variants

    /// A stored variant is a plain stored object: delivered as it is, with the base's age and Cache-Status.
    /// Its hit is counted for hot recompression.
    private func deliverVariant(_ variant: CachedObject, template: DeliveryTemplate, base: CachedObject,
                                to request: ProxyRequest, age: Double, entry: CacheStatusEntry, phase: CachePhase,
                                tier: TierHit?, upstreamSeconds: Double?) -> ProxyResponse {
        if let hits = template.compression.hits, let stamp = template.compression.variant {
            let count = hits.record()
            if stamp.coding == .brotli,
               compression.settings.hotRecompression.shouldRecompress(hits: count, currentQuality: stamp.level),
               hits.claim() {
                scheduleRecompression(of: variant, stamp: stamp, base: base, hits: hits)
            }
        }
        return deliverStored(variant, to: request, age: age, entry: entry, phase: phase, tier: tier,
                             upstreamSeconds: upstreamSeconds, negotiate: false, knownTemplate: template)
    }

    /// `found` if it was made from `base`'s body; with its head re-derived (and stored again in the background)
    /// when the base was revalidated since. `nil` for a variant of an older body.
    func usableVariant(_ found: CachedObject, coding: ContentCoding, base: CachedObject) -> CachedObject? {
        guard let stamp = deliveryTemplate(for: found).compression.variant, stamp.coding == coding,
              stamp.isMade(from: base) else { return nil }
        guard !stamp.hasHeaders(of: base) else { return found }
        let refreshed = CodedVariants.refreshed(found, stamp: stamp, base: base, storedAt: now())
        storeVariantInBackground(refreshed)
        return refreshed
    }

    /// The variant in memory, else on disk (read on the I/O pool and promoted to memory).
    private func storedVariant(of base: CachedObject, coding: ContentCoding) async -> CachedObject? {
        let key = CodedVariants.variantKey(base: base.variantKey, coding: coding)
        guard let (found, _) = await lookup(primaryKey: base.primaryKey, variantKey: key) else { return nil }
        return usableVariant(found, coding: coding, base: base)
    }

    /// Compresses a whole base once, however many requests ask at the same time, and stores the variant.
    private func buildVariant(of base: CachedObject, coding: ContentCoding) async -> CachedObject? {
        let key = CachedObject.storageKey(primaryKey: base.primaryKey,
                                          variantKey: CodedVariants.variantKey(base: base.variantKey, coding: coding))
            + "\n" + String(base.storedAt.bitPattern, radix: 16)
        return await compression.builds.build(key: key) { [self] in
            let level = compression.level(for: coding)
            do {
                let body = try Compression.encode(base.body, coding: coding, level: level,
                                                  brotliWindow: compression.settings.brotliWindowBits)
                compression.metrics.encoded(input: base.body.readableBytes, output: body.readableBytes)
                let variant = CodedVariants.make(from: base, coding: coding, body: body, level: level, storedAt: now())
                storeVariantInBackground(variant)
                return variant
            } catch {
                compression.metrics.failed()
                logger.error("compressing a stored object failed", metadata: [
                    "key": "\(base.primaryKey)", "coding": "\(coding)", "error": "\(error)",
                ])
                return nil
            }
        }
    }

    /// Puts a variant in memory at once (the next request is a fast-path hit) and writes it to disk on the
    /// I/O pool, as the miss path stores bases.
    func storeVariantInBackground(_ variant: CachedObject) {
        // The URL's Vary fields changed since the base was read (a new response replaced it): storing this
        // variant would make the store drop the new base to make room for the old field list.
        if let known = store.varyFields(forPrimaryKey: variant.primaryKey), known != variant.varyFields { return }
        if let coding = deliveryTemplate(for: variant).compression.variant?.coding {
            compression.metrics.variantStored(coding)
        }
        if let evicted = store.insertInMemory(variant) {
            Task { await writeThrough(variant, evicted: evicted) }
        } else {
            Task { await persist(variant) }
        }
    }

    // MARK: Coding while sending

    /// The base coded as it is sent (encode or decode), with the head of the coded representation: no
    /// Content-Length, the coding's validators (the client's conditionals are answered against them). An
    /// encoding keeps its output and stores it as the variant when it ran to the end, unless another
    /// response is already doing so.
    private func streamedResponse(_ base: CachedObject, delivery: CodedDelivery, to request: ProxyRequest,
                                  age: Double, entry: CacheStatusEntry, phase: CachePhase, tier: TierHit?,
                                  upstreamSeconds: Double?) -> ProxyResponse {
        let template = deliveryTemplate(for: base)
        var headers = template.headers
        let stamp = ResponseStamp(entry: entry, age: age,
                                  source: .stored(upstreamCacheStatus: template.upstreamCacheStatus))
        let identity = Validators(etag: base.etag, lastModified: base.lastModified)
        let validators: Validators
        let operation: CodedBody.Operation
        var onComplete: (@Sendable (CodedBody.Completion) -> Void)?
        switch delivery {
        case .asStored:
            return deliverStored(base, to: request, age: age, entry: entry, phase: phase, tier: tier,
                                 upstreamSeconds: upstreamSeconds, negotiate: false)
        case .encode(let coding):
            CodedVariants.applyCoding(coding, to: &headers, identityETag: base.etag)
            validators = VariantValidators.validators(for: coding, identity: identity)
            operation = compression.encodeOperation(coding, expectedSize: base.body.readableBytes)
            let claimKey = CachedObject.storageKey(
                primaryKey: base.primaryKey, variantKey: CodedVariants.variantKey(base: base.variantKey, coding: coding))
            if !request.isHead, let claim = compression.claims.claim(claimKey) {
                onComplete = { [self] completion in
                    withExtendedLifetime(claim) {
                        let variant = CodedVariants.make(from: base, coding: coding, body: completion.output,
                                                         level: completion.level, storedAt: now())
                        storeVariantInBackground(variant)
                    }
                }
            }
        case .decode(let coding):
            CodedVariants.applyDecoding(to: &headers)
            validators = Validators(etag: nil, lastModified: identity.lastModified)
            operation = .decode(coding, maxOutputBytes: CompressionRuntime.maxDecodedBytes)
        }

        let conditional = ConditionalRequest(headers: request.head.headers, isGetOrHead: true)
        if conditional.hasPreconditions {
            switch conditional.evaluate(against: validators) {
            case .notModified:
                return ProxyResponse(status: .notModified, headers: notModifiedHeaders(from: headers), body: .empty,
                                     phase: phase, upstreamSeconds: upstreamSeconds, tier: tier).stamped(stamp)
            case .preconditionFailed:
                headers.add(name: "content-length", value: "0")
                return ProxyResponse(status: .preconditionFailed, headers: headers, body: .empty, phase: phase,
                                     upstreamSeconds: upstreamSeconds, tier: tier).stamped(stamp)
            case .proceed:
                break
            }
        }
        let body: ResponseBody = request.isHead
            ? .empty
            : .coded(CodedBody(source: .buffer(base.body), operation: operation, flushEachChunk: false,
                               onComplete: onComplete, metrics: compression.metrics))
        return ProxyResponse(status: HTTPResponseStatus(statusCode: base.status), headers: headers,
                             body: body, phase: phase, upstreamSeconds: upstreamSeconds, tier: tier).stamped(stamp)
    }
}
