import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// Delivers a stored object: answers the client's own conditionals with 304, Range with 206/416, HEAD without
    /// a body, and stamps Age and Cache-Status.
    ///
    /// With `negotiate` (the default), a base that varies by coding is answered in the client's coding (a stored
    /// variant, or coded while sent); `false` delivers `object` exactly as stored. `knownTemplate` saves a caller
    /// that already looked up the object's template a second lookup.
    func deliverStored(_ object: CachedObject, to request: ProxyRequest, age: Double, entry: CacheStatusEntry,
                       phase: CachePhase, tier: TierHit?, upstreamSeconds: Double? = nil,
                       negotiate: Bool = true, knownTemplate: DeliveryTemplate? = nil) -> ProxyResponse {
        let template = knownTemplate ?? deliveryTemplate(for: object)
        // A body in its file is sent as stored: coding it would mean reading it whole (identity is always
        // acceptable, and the template still says `Vary: Accept-Encoding`).
        if negotiate, object.fileBody == nil, let coded = deliverCoded(object, template: template, to: request, age: age, entry: entry,
                                               phase: phase, tier: tier, upstreamSeconds: upstreamSeconds) {
            return coded
        }
        var headers = template.headers
        let stamp = ResponseStamp(entry: entry, age: age,
                                  source: .stored(upstreamCacheStatus: template.upstreamCacheStatus))

        let requestHeaders = request.head.headers
        // Most hits carry no If-* field: one pass over the names spares reading five fields.
        let conditional = requestHeaders.contains(where: { $0.name.hasCaseInsensitivePrefix("if-") })
            ? ConditionalRequest(headers: requestHeaders, isGetOrHead: true)
            : ConditionalRequest.none
        if object.status == 200 && conditional.hasPreconditions {
            let validators = Validators(etag: object.etag, lastModified: object.lastModified)
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

        var body = object.body
        var fileRange: Range<Int>?
        var status = HTTPResponseStatus(statusCode: object.status)
        var contentLength = template.contentLength
        if object.status == 200, let rangeHeader = requestHeaders.first(name: "range"),
           conditional.rangeApplies(to: Validators(etag: object.etag, lastModified: object.lastModified)) {
            let total = object.bodyLength
            switch RangeRequest(header: Substring(rangeHeader), length: total) {
            case .single(let range):
                status = .partialContent
                if object.fileBody != nil {
                    fileRange = range.first..<(range.first + range.count)
                    contentLength = String(range.count)
                } else {
                    body = body.getSlice(at: body.readerIndex + range.first, length: range.count) ?? body
                    contentLength = String(body.readableBytes)
                }
                headers.replaceOrAdd(name: "content-range", value: range.contentRange(total: total))
            case .unsatisfiable:
                status = .rangeNotSatisfiable
                body = ByteBuffer()
                fileRange = 0..<0
                headers.replaceOrAdd(name: "content-range", value: "bytes */\(total)")
                contentLength = "0"
            case .whole, .multiple:
                break
            }
        }
        headers.add(name: "content-length", value: contentLength)
        let sent: ResponseBody
        if request.isHead || fileRange?.isEmpty == true {
            sent = .empty
        } else if let file = object.fileBody {
            sent = .file(FileStreamBody(file: file, range: fileRange, ioPool: ioPool,
                                        onVerified: { [store] file in store.disk?.markVerified(file.storageKey) }) {
                [store, logger] file in
                logger.error("stored body failed its checksum while sent; file removed",
                             metadata: ["path": "\(file.path)"])
                store.disk?.discardCorrupt(file.storageKey, reason: "body does not match its checksum")
            })
        } else {
            sent = .buffer(body)
        }
        var response = ProxyResponse(status: status, headers: headers, body: sent,
                                     phase: phase, upstreamSeconds: upstreamSeconds, tier: tier).stamped(stamp)
        // The template's fields lead `headers` unchanged (Content-Range is added only when no prefix exists).
        response.wirePrefix = template.wire
        return response
    }

    /// The parts of a stored object's response head that are the same for every hit, built once per object:
    /// the stored fields with this node's Via appended (and, at the outermost tier, without the CDN's internal
    /// fields: the stored copy keeps them for purges), and any upstream Cache-Status to prefix ours with.
    func deliveryTemplate(for object: CachedObject) -> DeliveryTemplate {
        object.memo.delivery {
            let settings = self.settings
            let cacheName = settings.cacheName
            let stripsInternal = settings.stripsInternalHeaders
            var headers = object.headers
            let upstreamStatus = headers["cache-status"].joined(separator: ", ")
            // Content-Range stays: a stored 200 may carry it and is served as stored (RFC 9111 §3.1); a 206 or
            // 416 answered from the object below replaces it.
            for name in ["age", "cache-status", "content-length"] { headers.remove(name: name) }
            ForwardingHeaders.appendVia(&headers, name: cacheName)
            if stripsInternal { ForwardingHeaders.removeInternal(&headers) }
            // Strips a variant's internal stamp; adds `Vary: Accept-Encoding` to bases that vary by coding.
            let compression = compressionFacts(for: object, headers: &headers)
            // A stored Content-Range stays out of the bytes: a 206 or 416 answered from the object replaces it.
            let wire = headers.contains(name: "content-range") ? nil : WirePrefix(serializing: headers)
            return DeliveryTemplate(headers: headers,
                                    upstreamCacheStatus: upstreamStatus.isEmpty ? "" : upstreamStatus + ", ",
                                    contentLength: String(object.bodyLength), compression: compression,
                                    wire: wire)
        }
    }

    /// A 304 carries the fields a 200 would have that describe the cached response (RFC 9110 §15.4.5),
    /// but no content fields.
    func notModifiedHeaders(from headers: HTTPHeaders) -> HTTPHeaders {
        var result = headers
        for name in ["content-length", "content-type", "content-range"] {
            result.remove(name: name)
        }
        return result
    }
}

/// See `ProxyEngine.deliveryTemplate(for:)`. A class: the object's memo holds one, and every hit reads it.
final class DeliveryTemplate: Sendable {
    let headers: HTTPHeaders
    let upstreamCacheStatus: String
    let contentLength: String
    /// How the object varies by content coding, or which base it is a coded variant of.
    let compression: CompressionFacts
    /// `headers` serialized, for HTTP/1.1 hits (`WirePrefix`); nil when a stored Content-Range is among them.
    let wire: WirePrefix?

    init(headers: HTTPHeaders, upstreamCacheStatus: String, contentLength: String,
         compression: CompressionFacts = .plain, wire: WirePrefix?) {
        self.headers = headers
        self.upstreamCacheStatus = upstreamCacheStatus
        self.contentLength = contentLength
        self.compression = compression
        self.wire = wire
    }
}

extension ConditionalRequest {
    /// A request without any conditional field.
    static let none = ConditionalRequest(ifMatch: nil, ifNoneMatch: nil, ifModifiedSince: nil, ifUnmodifiedSince: nil,
                                         ifRange: nil, isGetOrHead: true)

    /// Extracts the conditional fields of a request head.
    /// Whether any precondition field is present (most requests carry none).
    var hasPreconditions: Bool {
        ifMatch != nil || ifNoneMatch != nil || ifModifiedSince != nil || ifUnmodifiedSince != nil
    }

    init(headers: HTTPHeaders, isGetOrHead: Bool) {
        func field(_ name: String) -> Substring? {
            let values = headers[name]
            return values.isEmpty ? nil : Substring(values.joined(separator: ", "))
        }
        self.init(ifMatch: field("if-match"), ifNoneMatch: field("if-none-match"),
                  ifModifiedSince: field("if-modified-since"), ifUnmodifiedSince: field("if-unmodified-since"),
                  ifRange: field("if-range"), isGetOrHead: isGetOrHead)
    }
}
