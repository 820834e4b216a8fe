@testable import EdgeHTTP
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// The HTTP/1.1 response encoder on its own (RFC 9112 §6 framing), and a hit's serialized field prefix: the
/// bytes on the wire are the same whether a head's leading fields come from the prefix or are encoded.
@Suite("HTTP/1.1 response encoder")
struct HTTP1ResponseEncoderTests {
    /// Writes `parts` through a fresh encoder, after telling it which requests were decoded; the bytes out.
    static func encode(_ parts: [HTTPServerResponsePart], methods: [HTTPMethod] = [.GET],
                       prefix: WirePrefix? = nil) throws -> String {
        let wire = ResponseWire()
        for method in methods { wire.requestDecoded(method) }
        let channel = EmbeddedChannel(handler: HTTP1ResponseEncoder(wire: wire))
        defer { _ = try? channel.finish() }
        for (index, part) in parts.enumerated() {
            if index == 0 { wire.nextPrefix = prefix }
            try channel.writeOutbound(part)
        }
        var out = ""
        while let data = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(let buffer) = data else { Issue.record("file region"); continue }
            out += String(buffer: buffer)
        }
        return out
    }

    static func head(_ status: HTTPResponseStatus, _ fields: [(String, String)],
                     version: HTTPVersion = .http1_1) -> HTTPServerResponsePart {
        .head(HTTPResponseHead(version: version, status: status, headers: HTTPHeaders(fields)))
    }

    static let stored: [(String, String)] = [("Content-Type", "text/plain"), ("ETag", "\"v1\""),
                                             ("via", "1.1 edge-1")]

    @Test func contentLengthFramesARawBody() throws {
        let out = try Self.encode([Self.head(.ok, Self.stored + [("content-length", "2")]),
                                   .body(.byteBuffer(ByteBuffer(string: "hi"))), .end(nil)])
        #expect(out == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: \"v1\"\r\nvia: 1.1 edge-1\r\n"
            + "content-length: 2\r\n\r\nhi")
    }

    @Test func aPrefixWritesTheSameBytesAsEncodingTheFields() throws {
        let fields = Self.stored + [("age", "3"), ("cache-status", "edge-1; hit"), ("content-length", "2")]
        let parts: [HTTPServerResponsePart] = [Self.head(.ok, fields), .body(.byteBuffer(ByteBuffer(string: "hi"))),
                                               .end(nil)]
        let prefix = WirePrefix(serializing: HTTPHeaders(Self.stored))
        #expect(prefix.fieldCount == 3)
        #expect(try Self.encode(parts, prefix: prefix) == Self.encode(parts))
        // A 206 from the same object: the per-request fields follow the prefix.
        let partial = Self.stored + [("content-range", "bytes 0-0/2"), ("content-length", "1")]
        #expect(try Self.encode([Self.head(.partialContent, partial), .body(.byteBuffer(ByteBuffer(string: "h"))),
                                 .end(nil)], prefix: prefix)
            == Self.encode([Self.head(.partialContent, partial), .body(.byteBuffer(ByteBuffer(string: "h"))),
                            .end(nil)]))
    }

    @Test func aPrefixLongerThanTheHeadIsIgnored() throws {
        // Defensive: a prefix that cannot stand for the head's leading fields is never written.
        let prefix = WirePrefix(serializing: HTTPHeaders(Self.stored + [("x-a", "1"), ("x-b", "2"), ("x-c", "3")]))
        let out = try Self.encode([Self.head(.ok, [("content-length", "0")]), .end(nil)], prefix: prefix)
        #expect(out == "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
    }

    @Test func aPrefixMadeFromOtherFieldsIsIgnored() throws {
        // Same count, different fields: the head's own fields are written, never the prefix's.
        let prefix = WirePrefix(serializing: HTTPHeaders([("etag", "\"v1\""), ("via", "1.1 edge-1")]))
        let out = try Self.encode([Self.head(.ok, [("etag", "\"v2\""), ("via", "1.1 edge-2"), ("content-length", "0")]),
                                   .end(nil)], prefix: prefix)
        #expect(out == "HTTP/1.1 200 OK\r\netag: \"v2\"\r\nvia: 1.1 edge-2\r\ncontent-length: 0\r\n\r\n")
    }

    @Test func withoutALengthHTTP11IsChunkedWithTrailers() throws {
        let out = try Self.encode([Self.head(.ok, [("content-type", "text/plain")]),
                                   .body(.byteBuffer(ByteBuffer(string: "hello world, twenty!"))),
                                   .body(.byteBuffer(ByteBuffer())),
                                   .end(HTTPHeaders([("x-checksum", "1")]))])
        #expect(out == "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n"
            + "14\r\nhello world, twenty!\r\n0\r\nx-checksum: 1\r\n\r\n")
    }

    @Test func withoutALengthHTTP10IsDelimitedByTheClose() throws {
        let out = try Self.encode([Self.head(.ok, [("connection", "close")], version: .http1_0),
                                   .body(.byteBuffer(ByteBuffer(string: "abc"))), .end(nil)])
        #expect(out == "HTTP/1.0 200 OK\r\nconnection: close\r\n\r\nabc")
    }

    @Test func aResponseToHEADKeepsItsFramingFieldsButSendsNoBody() throws {
        let withLength = try Self.encode([Self.head(.ok, [("content-length", "5")]),
                                          .body(.byteBuffer(ByteBuffer(string: "hello"))), .end(nil)],
                                         methods: [.HEAD])
        #expect(withLength == "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n")
        let chunked = try Self.encode([Self.head(.ok, []), .body(.byteBuffer(ByteBuffer(string: "hello"))),
                                       .end(nil)], methods: [.HEAD])
        #expect(chunked == "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
    }

    @Test func noBodyStatusesLoseTheirFramingFields() throws {
        for status in [HTTPResponseStatus.notModified, .noContent] {
            let out = try Self.encode([Self.head(status, [("etag", "\"v1\""), ("content-length", "5"),
                                                          ("transfer-encoding", "chunked")]), .end(nil)])
            #expect(out == "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\netag: \"v1\"\r\n\r\n")
        }
    }

    @Test func anInterimResponseLeavesTheMethodAndPrefixForTheFinalOne() throws {
        let prefix = WirePrefix(serializing: HTTPHeaders([("etag", "\"v1\"")]))
        let wire = ResponseWire()
        wire.requestDecoded(.HEAD)
        let channel = EmbeddedChannel(handler: HTTP1ResponseEncoder(wire: wire))
        defer { _ = try? channel.finish() }
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .continue)))
        wire.nextPrefix = prefix
        try channel.writeOutbound(Self.head(.ok, [("etag", "\"v1\""), ("content-length", "5")]))
        try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "hello"))))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        var out = ""
        while let data = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = data { out += String(buffer: buffer) }
        }
        #expect(out == "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\netag: \"v1\"\r\ncontent-length: 5\r\n\r\n")
        #expect(wire.nextPrefix == nil)
        #expect(wire.answeringMethod() == nil)
    }
}
