import EdgeCore
import NIOCore

/// One byte range of a body that is still arriving: the bytes before the range are skipped as they come, the
/// range is passed on as soon as its bytes arrive, and reading stops after its last byte. How a miss answers a
/// `Range` request with 206 without waiting for (or holding) the whole object: the fill itself goes on reading
/// the whole body into the cache.
public struct RangedBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let source: @Sendable () -> (() async throws -> ByteBuffer?)
    let range: ByteRange

    init(source: @escaping @Sendable () -> (() async throws -> ByteBuffer?), range: ByteRange) {
        self.source = source
        self.range = range
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let pull: () async throws -> ByteBuffer?
        let range: ByteRange
        /// Offset in the whole body of the next byte `next` will give.
        var offset = 0

        public mutating func next() async throws -> ByteBuffer? {
            while offset <= range.last {
                guard var chunk = try await pull() else { return nil }
                let start = offset
                offset += chunk.readableBytes
                guard offset > range.first else { continue }  // wholly before the range
                let skip = Swift.max(0, range.first - start)
                let keep = Swift.min(chunk.readableBytes - skip, range.last + 1 - Swift.max(start, range.first))
                chunk.moveReaderIndex(forwardBy: skip)
                guard let slice = chunk.readSlice(length: keep), slice.readableBytes > 0 else { continue }
                return slice
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(pull: source(), range: range)
    }
}

extension ProxyEngine {
    /// A single satisfiable `Range` of a GET answered from a 200 that streams from upstream (a miss, a fill
    /// that may not be stored, a follower of another's fill): 206 with the range as its bytes arrive, or 416
    /// for a range the representation cannot satisfy (RFC 9110 §14). Only when the length is known
    /// (Content-Length) and the body is sent as it came (not coded on the way); `If-Range` is honoured against
    /// the response's validators. Multiple ranges keep the 200 (allowed by RFC 9110 §14.2).
    func answerRange(_ response: inout ProxyResponse, for request: ProxyRequest) {
        guard request.head.method == .GET, response.status == .ok,
              let rangeHeader = request.head.headers.first(name: "range"),
              let total = response.headers.first(name: "content-length").flatMap({ Int($0) }) else { return }
        let source: @Sendable () -> (() async throws -> ByteBuffer?)
        switch response.body {
        case .shared(let reader):
            source = {
                var iterator = reader.makeAsyncIterator()
                return { try await iterator.next() }
            }
        case .upstream(let body):
            source = {
                var iterator = body.makeAsyncIterator()
                return { try await iterator.next() }
            }
        case .empty, .buffer, .coded, .ranged, .file:
            return
        }
        let validators = Validators(
            etag: response.headers.first(name: "etag").flatMap { EntityTag(parsing: Substring($0)) },
            lastModified: response.headers.first(name: "last-modified").flatMap { HTTPDate.parse(Substring($0)) })
        let conditional = ConditionalRequest(headers: request.head.headers, isGetOrHead: true)
        guard conditional.rangeApplies(to: validators) else { return }
        switch RangeRequest(header: Substring(rangeHeader), length: total) {
        case .single(let range):
            response.status = .partialContent
            response.headers.replaceOrAdd(name: "content-range", value: range.contentRange(total: total))
            response.headers.replaceOrAdd(name: "content-length", value: String(range.count))
            response.body = .ranged(RangedBody(source: source, range: range))
        case .unsatisfiable:
            response.status = .rangeNotSatisfiable
            response.headers.replaceOrAdd(name: "content-range", value: "bytes */\(total)")
            response.headers.replaceOrAdd(name: "content-length", value: "0")
            response.body = .empty
        case .whole, .multiple:
            break
        }
    }
}
