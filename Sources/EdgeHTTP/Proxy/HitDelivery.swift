import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// Delivers a stored object: answers the client's own conditionals with 304, Range with 206/416, HEAD without
    /// a body, and stamps Age and Cache-Status.
    func deliverStored(_ object: CachedObject, to request: ProxyRequest, age: Double, entry: CacheStatusEntry,
                       phase: CachePhase, tier: TierHit?, upstreamSeconds: Double? = nil) -> ProxyResponse {
        var headers = object.headers
        headers.replaceOrAdd(name: "age", value: String(Int(max(0, age).rounded(.down))))
        stamp(&headers, entry)

        let conditional = ConditionalRequest(headers: request.head.headers, isGetOrHead: true)
        let validators = Validators(etag: object.etag, lastModified: object.lastModified)
        if object.status == 200 {
            switch conditional.evaluate(against: validators) {
            case .notModified:
                return ProxyResponse(status: .notModified, headers: notModifiedHeaders(from: headers), body: .empty,
                                     phase: phase, upstreamSeconds: upstreamSeconds, tier: tier)
            case .preconditionFailed:
                headers.replaceOrAdd(name: "content-length", value: "0")
                return ProxyResponse(status: .preconditionFailed, headers: headers, body: .empty, phase: phase,
                                     upstreamSeconds: upstreamSeconds, tier: tier)
            case .proceed:
                break
            }
        }

        var body = object.body
        var status = HTTPResponseStatus(statusCode: object.status)
        if object.status == 200, conditional.rangeApplies(to: validators),
           let rangeHeader = request.head.headers.first(name: "range") {
            let total = body.readableBytes
            switch RangeRequest(header: Substring(rangeHeader), length: total) {
            case .single(let range):
                status = .partialContent
                body = body.getSlice(at: body.readerIndex + range.first, length: range.count) ?? body
                headers.replaceOrAdd(name: "content-range", value: range.contentRange(total: total))
            case .unsatisfiable:
                status = .rangeNotSatisfiable
                body = ByteBuffer()
                headers.replaceOrAdd(name: "content-range", value: "bytes */\(total)")
            case .whole, .multiple:
                break
            }
        }
        headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
        var response = ProxyResponse(status: status, headers: headers,
                                     body: request.isHead ? .empty : .buffer(body),
                                     phase: phase, upstreamSeconds: upstreamSeconds, tier: tier)
        applyTransforms(&response, request: request)
        return response
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

    /// Marks a response as having passed through this node: appends to Via (RFC 9110 §7.6.3) and appends this
    /// cache's entry to any Cache-Status the upstream tiers sent (RFC 9211: the list runs from the cache nearest
    /// the origin to the one nearest the user).
    func stamp(_ headers: inout HTTPHeaders, _ entry: CacheStatusEntry) {
        ForwardingHeaders.appendVia(&headers, name: settings.cacheName)
        // Plain concatenation rather than parse-and-reserialise: this runs on every hit.
        let upstream = headers["cache-status"].joined(separator: ", ")
        let ours = entry.serialized()
        headers.replaceOrAdd(name: "cache-status", value: upstream.isEmpty ? ours : "\(upstream), \(ours)")
    }

    func applyTransforms(_ response: inout ProxyResponse, request: ProxyRequest) {
        for transform in transforms {
            transform.transform(&response, for: request)
        }
    }
}

extension ConditionalRequest {
    /// Extracts the conditional fields of a request head.
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
