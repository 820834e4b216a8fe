import EdgeCompression
import NIOCore
import Testing

@Suite struct FlushTests {
    /// A flushed prefix decodes to exactly the input given so far, before the encoder is finished: what
    /// lets a client start on a streamed page while upstream is still sending.
    @Test(arguments: [ContentCoding.brotli, .gzip])
    func flushYieldsADecodablePrefix(_ coding: ContentCoding) throws {
        let parts = [
            Array("<!doctype html><html><head><title>streamed</title></head><body>".utf8),
            TestData.text(count: 50_000, seed: 1),
            Array("</body></html>".utf8),
        ]
        var encoder = try Compression.makeEncoder(for: coding)
        var decoder = try Compression.makeDecoder(for: coding)
        var received: [UInt8] = []
        var sent: [UInt8] = []
        for part in parts {
            let output = try encoder.process(ByteBuffer(bytes: part), flush: true)
            #expect(output.readableBytes > 0)
            received += try decoder.process(output).bytes
            sent += part
            #expect(received == sent, "after a flush the client has everything sent so far")
        }
        received += try decoder.process(try encoder.finish()).bytes
        try decoder.finish { _ in }
        #expect(received == sent)
    }

    @Test func withoutFlushBrotliBuffersSmallInput() throws {
        var encoder = try BrotliEncoder()
        #expect(try encoder.process(ByteBuffer(string: "tiny")).readableBytes == 0)
        let flushed = try encoder.process(ByteBuffer(), flush: true)
        var decoder = try BrotliDecoder()
        #expect(try decoder.process(flushed) == ByteBuffer(string: "tiny"))
    }

    @Test(arguments: [ContentCoding.brotli, .gzip])
    func repeatedEmptyFlushesAreHarmless(_ coding: ContentCoding) throws {
        var encoder = try Compression.makeEncoder(for: coding)
        var encoded = try encoder.process(ByteBuffer(string: "a"), flush: true)
        for _ in 0..<5 { encoded.writeImmutableBuffer(try encoder.process(ByteBuffer(), flush: true)) }
        encoded.writeImmutableBuffer(try encoder.finish())
        #expect(String(buffer: try Compression.decode(encoded, coding: coding)) == "a")
    }
}
