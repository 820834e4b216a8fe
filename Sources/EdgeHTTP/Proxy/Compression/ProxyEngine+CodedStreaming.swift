import EdgeCache
import EdgeCompression
import EdgeCore
import NIOCore
import NIOHTTP1

/// Where a fill's coded stream stores its output: as a variant of the base that this fill stores.
struct FillContext: Sendable {
    var primaryKey: String
    var head: FetchedHead
}

extension ProxyEngine {
    /// Puts a response that streams from upstream (a fill, a coalesced follower, an uncacheable or
    /// pass-through response) into the client's coding, coding the body as it arrives. Each upstream chunk
    /// is flushed through the encoder, so the client gets the start of a large body before upstream ends.
    ///
    /// With `fill`, the coded output is kept and stored as the variant of the base once both are complete
    /// (one stream per variant keeps its output; the others only code). Responses that vary by coding get
    /// `Vary: Accept-Encoding` whatever the client asked for.
    func codeStreamedResponse(_ response: inout ProxyResponse, request: ProxyRequest, fill: FillContext? = nil) {
        guard compression.settings.enabled else { return }
        let representation = BaseRepresentation.of(status: Int(response.status.code), headers: response.headers,
                                                   bodyLength: nil, policy: compression.policy)
        guard representation.variesByCoding else { return }
        switch codedDelivery(for: representation, request: request) {
        case .asStored:
            CodedVariants.mergeVary(&response.headers)
        case .encode(let coding):
            let expectedSize = response.headers.first(name: "content-length").flatMap { Int($0) }
            let identityETag = response.headers.first(name: "etag").flatMap { EntityTag(parsing: Substring($0)) }
            CodedVariants.applyCoding(coding, to: &response.headers, identityETag: identityETag)
            response.headers.remove(name: "content-length")
            guard let source = CodedBody.Source(response.body) else { return }  // HEAD: the head alone
            var onComplete: (@Sendable (CodedBody.Completion) -> Void)?
            if let fill {
                let claimKey = CachedObject.storageKey(
                    primaryKey: fill.primaryKey,
                    variantKey: CodedVariants.variantKey(base: fill.head.variantKey, coding: coding))
                if let claim = compression.claims.claim(claimKey) {
                    onComplete = { [self] completion in
                        withExtendedLifetime(claim) { storeFilledVariant(completion, coding: coding, fill: fill) }
                    }
                }
            }
            response.body = .coded(CodedBody(
                source: source, operation: compression.encodeOperation(coding, expectedSize: expectedSize),
                flushEachChunk: true, onComplete: onComplete, metrics: compression.metrics))
        case .decode(let coding):
            CodedVariants.applyDecoding(to: &response.headers)
            guard let source = CodedBody.Source(response.body) else { return }
            response.body = .coded(CodedBody(
                source: source, operation: .decode(coding, maxOutputBytes: CompressionRuntime.maxDecodedBytes),
                flushEachChunk: false, metrics: compression.metrics))
        }
    }

    /// Stores a fill's coded output as a variant of the base the same fill stored. The base is in memory by
    /// now (the fill puts it there before its body ends); a base too large for memory, refused, or already
    /// replaced by a newer fetch is left alone, and its variant is made by a later request instead.
    private func storeFilledVariant(_ completion: CodedBody.Completion, coding: ContentCoding, fill: FillContext) {
        guard let base = store.memory.peek(CachedObject.storageKey(primaryKey: fill.primaryKey,
                                                                   variantKey: fill.head.variantKey)),
              base.requestTime == fill.head.requestTime, base.responseTime == fill.head.responseTime,
              base.body.readableBytes == completion.inputBytes else { return }
        let key = CodedVariants.variantKey(base: base.variantKey, coding: coding)
        if let existing = store.memory.peek(CachedObject.storageKey(primaryKey: base.primaryKey, variantKey: key)),
           let stamp = deliveryTemplate(for: existing).compression.variant, stamp.isMade(from: base) {
            return
        }
        storeVariantInBackground(CodedVariants.make(from: base, coding: coding, body: completion.output,
                                                    level: completion.level, storedAt: now()))
    }
}

extension CodedBody.Source {
    /// The streaming source behind a response body; `nil` for bodies with nothing to code (HEAD).
    init?(_ body: ResponseBody) {
        switch body {
        case .empty: return nil
        case .buffer(let buffer): self = .buffer(buffer)
        case .shared(let reader): self = .shared(reader)
        case .upstream(let upstream): self = .upstream(upstream)
        case .coded, .ranged, .file: return nil
        }
    }
}

extension ResponseBody {
    /// Reads an unused upstream body to its end so its pooled connection can be reused; bodies that do not
    /// hold an upstream connection of their own are left alone (a shared body's fetch reads itself).
    func discard() async {
        switch self {
        case .upstream(let body):
            do { for try await _ in body {} } catch {}
        case .coded(let coded):
            await coded.discardSource()
        case .empty, .buffer, .shared, .ranged, .file:
            break
        }
    }
}

extension CodedBody {
    /// Drains an upstream source without coding it.
    func discardSource() async {
        guard case .upstream(let body) = source else { return }
        do { for try await _ in body {} } catch {}
    }
}
