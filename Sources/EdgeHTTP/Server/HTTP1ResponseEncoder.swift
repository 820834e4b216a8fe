import EdgeCore
import NIOCore
import NIOHTTP1

/// The leading fields of a response head, already serialized: `name: value\r\n` for each of the first
/// `fieldCount` fields of the response's `headers`.
///
/// A stored object's fields are the same on every hit, so they are written out once per object (with the
/// delivery template) and a hit copies the bytes instead of encoding each field again. The response keeps
/// the fields in `headers` too — for HTTP/2, the access log and everything else that reads them — and the
/// prefix stands for exactly those first fields. Whatever changes a field inside that range must drop the
/// prefix (`finish` does for transforms and HSTS); appending fields after it, as the stamp and the connection
/// fields do, keeps it valid.
public struct WirePrefix: Sendable {
    public let bytes: ByteBuffer
    public let fieldCount: Int
    /// The last field the prefix stands for, checked against the head it is written with: a prefix can only
    /// ever be written in place of the very fields it was made from.
    let lastField: (name: String, value: String)?

    /// Serializes `headers` whole.
    init(serializing headers: HTTPHeaders) {
        lastField = headers.last.map { ($0.name, $0.value) }
        var bytes = ByteBuffer()
        bytes.reserveCapacity(headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 })
        for (name, value) in headers { HTTP1ResponseEncoder.writeField(name: name, value: value, into: &bytes) }
        self.bytes = bytes
        self.fieldCount = headers.count
    }
}

extension WirePrefix {
    /// Whether `headers` begins with the fields this prefix was made from (checked at its last one).
    func matches(_ headers: HTTPHeaders) -> Bool {
        guard fieldCount <= headers.count else { return false }
        guard let lastField else { return true }
        let field = headers[headers.index(headers.startIndex, offsetBy: fieldCount - 1)]
        return field.name == lastField.name && field.value == lastField.value
    }
}

/// What one HTTP/1.1 connection's response encoder needs to know besides the response parts: the method of
/// each request it answers (a response to HEAD has no body, whatever its framing fields say) and, for the next
/// head, a serialized field prefix. Confined to the connection's event loop.
final class ResponseWire {
    /// Methods of the requests decoded and not yet answered, oldest first.
    private var methods: CircularBuffer<HTTPMethod> = CircularBuffer(initialCapacity: 4)
    /// The prefix for the head about to be written; taken by the encoder with that head.
    var nextPrefix: WirePrefix?

    /// A request head was decoded (called right after the parser, in order).
    func requestDecoded(_ method: HTTPMethod) { methods.append(method) }

    /// The method of the request the next final response answers.
    func answeringMethod() -> HTTPMethod? { methods.popFirst() }
}

/// Writes HTTP/1.1 response parts as bytes, in place of NIO's `HTTPResponseEncoder`, so a hit's stored fields
/// go out as the bytes its template holds (`WirePrefix`) rather than being encoded field by field.
///
/// Framing (RFC 9112 §6): a response to HEAD, or with status 1xx, 204 or 304, has no body; 1xx, 204 and 304
/// lose any Content-Length / Transfer-Encoding, while a HEAD response keeps the fields a GET would have had.
/// Otherwise Content-Length frames the body when present; else HTTP/1.1 gets `Transfer-Encoding: chunked` and
/// HTTP/1.0 a body delimited by the connection's close (`ResponseHeadBuilder` sets `Connection: close`).
/// Outbound field values are not validated: they come from upstream heads NIO's parser accepted, or from this
/// node, which never writes CR or LF into a value.
final class HTTP1ResponseEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = IOData

    private enum BodyFraming {
        case raw
        case chunked
        /// No body goes on the wire (HEAD, 1xx, 204, 304): body parts are dropped.
        case none
    }

    private let wire: ResponseWire
    private var framing = BodyFraming.raw

    init(wire: ResponseWire) {
        self.wire = wire
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            let bytes = encode(head, allocator: context.channel.allocator)
            context.write(wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
        case .body(let body):
            switch framing {
            case .raw:
                context.write(wrapOutboundOut(body), promise: promise)
            case .chunked:
                guard body.readableBytes > 0 else {
                    // A zero-length chunk would end the body.
                    context.write(wrapOutboundOut(.byteBuffer(ByteBuffer())), promise: promise)
                    return
                }
                var header = context.channel.allocator.buffer(capacity: 12)
                header.writeString(String(body.readableBytes, radix: 16))
                header.writeStaticString("\r\n")
                context.write(wrapOutboundOut(.byteBuffer(header)), promise: nil)
                context.write(wrapOutboundOut(body), promise: nil)
                context.write(wrapOutboundOut(.byteBuffer(ByteBuffer(staticString: "\r\n"))), promise: promise)
            case .none:
                // An empty write keeps the promise ordered behind the writes before it.
                context.write(wrapOutboundOut(.byteBuffer(ByteBuffer())), promise: promise)
            }
        case .end(let trailers):
            guard case .chunked = framing else {
                context.write(wrapOutboundOut(.byteBuffer(ByteBuffer())), promise: promise)
                return
            }
            var last = context.channel.allocator.buffer(capacity: 5)
            last.writeStaticString("0\r\n")
            for (name, value) in trailers ?? [:] { Self.writeField(name: name, value: value, into: &last) }
            last.writeStaticString("\r\n")
            context.write(wrapOutboundOut(.byteBuffer(last)), promise: promise)
        }
    }

    /// The head as bytes; sets the framing of the body parts that follow.
    private func encode(_ head: HTTPResponseHead, allocator: ByteBufferAllocator) -> ByteBuffer {
        let code = head.status.code
        let interim = code >= 100 && code < 200
        var answersHead = false
        if !interim, let method = wire.answeringMethod() {
            answersHead = method == .HEAD || method == .CONNECT
        }
        // Only a final response takes the prefix set for it.
        let prefix = interim ? nil : wire.nextPrefix
        if !interim { wire.nextPrefix = nil }
        let headers = head.headers
        let firstField = prefix.map { $0.matches(headers) ? $0.fieldCount : -1 } ?? 0

        var buffer = allocator.buffer(capacity: 64 + (prefix?.bytes.readableBytes ?? 0) + 48 * headers.count)
        buffer.writeStaticString("HTTP/")
        buffer.writeString(String(head.version.major))
        buffer.writeStaticString(".")
        buffer.writeString(String(head.version.minor))
        buffer.writeStaticString(" ")
        buffer.writeString(String(code))
        buffer.writeStaticString(" ")
        buffer.writeString(head.status.reasonPhrase)
        buffer.writeStaticString("\r\n")

        let bodiless = interim || code == 204 || code == 304
        var hasLength = false
        var hasChunked = false
        if var prefixBytes = prefix?.bytes, firstField >= 0 {
            buffer.writeBuffer(&prefixBytes)
            // A prefix never holds the framing fields: the stored ones are removed when the template is made.
            for (name, value) in headers.dropFirst(firstField) {
                if bodiless, Self.isFraming(name) { continue }
                Self.note(name, length: &hasLength, chunked: &hasChunked)
                Self.writeField(name: name, value: value, into: &buffer)
            }
        } else {
            for (name, value) in headers {
                if bodiless, Self.isFraming(name) { continue }
                Self.note(name, length: &hasLength, chunked: &hasChunked)
                Self.writeField(name: name, value: value, into: &buffer)
            }
        }
        if bodiless {
            framing = .none
        } else if hasLength {
            framing = answersHead ? .none : .raw
        } else if head.version.major == 1 && head.version.minor >= 1 {
            if !hasChunked { buffer.writeStaticString("transfer-encoding: chunked\r\n") }
            framing = answersHead ? .none : .chunked
        } else {
            framing = answersHead ? .none : .raw
        }
        buffer.writeStaticString("\r\n")
        return buffer
    }

    private static func isFraming(_ name: String) -> Bool {
        name.caseInsensitiveEquals("content-length") || name.caseInsensitiveEquals("transfer-encoding")
    }

    private static func note(_ name: String, length: inout Bool, chunked: inout Bool) {
        if name.caseInsensitiveEquals("content-length") {
            length = true
        } else if name.caseInsensitiveEquals("transfer-encoding") {
            chunked = true
        }
    }

    static func writeField(name: String, value: String, into buffer: inout ByteBuffer) {
        buffer.writeString(name)
        buffer.writeStaticString(": ")
        buffer.writeString(value)
        buffer.writeStaticString("\r\n")
    }
}
