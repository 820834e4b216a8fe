import EdgeCompression
import NIOCore
import Testing

struct RoundTripCase: Sendable, CustomTestStringConvertible {
    var coding: ContentCoding
    var kind: DataKind
    var size: Int

    var testDescription: String { "\(coding) \(kind) \(size) bytes" }

    static let sizes = [0, 1, 100, 64 * 1024 - 1, 64 * 1024 + 1, 1 << 20, 5 << 20]

    static let all: [RoundTripCase] = [ContentCoding.brotli, .gzip].flatMap { coding in
        DataKind.allCases.flatMap { kind in sizes.map { RoundTripCase(coding: coding, kind: kind, size: $0) } }
    }
}

@Suite struct RoundTripTests {
    /// Streams the data through encoder and decoder in random piece sizes (different ones each way) and
    /// checks the bytes come back, the one-shot helpers agree, and no output piece exceeds the chunk size.
    @Test(arguments: RoundTripCase.all)
    func streamingRoundTrip(_ testCase: RoundTripCase) throws {
        let seed = UInt64(testCase.size) &* 31 &+ (testCase.kind == .text ? 7 : 3)
        let original = TestData.bytes(testCase.kind, count: testCase.size, seed: seed)

        var encoder = try Compression.makeEncoder(for: testCase.coding)
        let encoded = try TestData.encode(original, with: &encoder, seed: seed &+ 1)
        var decoder = try Compression.makeDecoder(for: testCase.coding)
        let decoded = try TestData.decode(encoded, with: &decoder, seed: seed &+ 2)
        #expect(decoded.count == original.count)
        #expect(decoded == original)
        #expect(decoder.outputByteCount == original.count)

        let oneShot = try Compression.decode(ByteBuffer(bytes: encoded), coding: testCase.coding)
        #expect(oneShot.bytes == original)
        let oneShotEncoded = try Compression.encode(ByteBuffer(bytes: original), coding: testCase.coding)
        #expect(try Compression.decode(oneShotEncoded, coding: testCase.coding).bytes == original)

        if testCase.kind == .text && testCase.size >= 64 * 1024 {
            #expect(encoded.count < original.count / 2, "text should compress well, got \(encoded.count)")
        }
        if testCase.kind == .random && testCase.size >= 64 * 1024 {
            // Incompressible input grows only by framing overhead.
            #expect(encoded.count < original.count + original.count / 100 + 64)
        }
    }

    @Test(arguments: BrotliEncoder.qualityRange)
    func everyBrotliQuality(_ quality: Int) throws {
        let original = TestData.text(count: 100_000, seed: UInt64(quality))
        let encoded = try Compression.encode(ByteBuffer(bytes: original), coding: .brotli, level: quality)
        #expect(try Compression.decode(encoded, coding: .brotli).bytes == original)
    }

    @Test(arguments: GzipEncoder.levelRange)
    func everyGzipLevel(_ level: Int) throws {
        let original = TestData.text(count: 100_000, seed: UInt64(level))
        let encoded = try Compression.encode(ByteBuffer(bytes: original), coding: .gzip, level: level)
        #expect(try Compression.decode(encoded, coding: .gzip).bytes == original)
    }

    @Test func higherQualityIsSmallerOnText() throws {
        let original = ByteBuffer(bytes: TestData.text(count: 200_000, seed: 42))
        let brotli5 = try Compression.encode(original, coding: .brotli, level: 5).readableBytes
        let brotli11 = try Compression.encode(original, coding: .brotli, level: 11).readableBytes
        let gzip6 = try Compression.encode(original, coding: .gzip, level: 6).readableBytes
        let gzip9 = try Compression.encode(original, coding: .gzip, level: 9).readableBytes
        #expect(brotli11 < brotli5)
        #expect(brotli11 < gzip9)
        #expect(gzip9 <= gzip6)
    }

    @Test(arguments: [ContentCoding.brotli, .gzip])
    func smallOutputChunksBoundEveryPiece(_ coding: ContentCoding) throws {
        let original = TestData.random(count: 300_000, seed: 9)
        var encoder: any StreamingEncoder = coding == .brotli
            ? try BrotliEncoder(outputChunkSize: 1024) : try GzipEncoder(outputChunkSize: 1024)
        let encoded = try TestData.encode(original, with: &encoder, seed: 10, maxPiece: 1024)
        var decoder: any StreamingDecoder = coding == .brotli
            ? try BrotliDecoder(outputChunkSize: 1000) : try GzipDecoder(outputChunkSize: 1000)
        var pieces = 0
        var decoded: [UInt8] = []
        try decoder.process(ByteBuffer(bytes: encoded)) { piece in
            pieces += 1
            #expect(piece.readableBytes <= 1000)
            decoded.append(contentsOf: piece.readableBytesView)
        }
        try decoder.finish { _ in Issue.record("decoders emit nothing at finish") }
        #expect(decoded == original)
        #expect(pieces >= 300)
    }

    @Test func expectedSizeNarrowsTheBrotliWindow() throws {
        #expect(BrotliEncoder.windowBits(covering: 1) == 10)
        #expect(BrotliEncoder.windowBits(covering: 1008) == 10)
        #expect(BrotliEncoder.windowBits(covering: 1009) == 11)
        #expect(BrotliEncoder.windowBits(covering: 1 << 30) == 24)
        #expect(try BrotliEncoder(quality: 11, expectedSize: 300).window == 10)
        #expect(try BrotliEncoder(quality: 11, window: 18, expectedSize: 10_000_000).window == 18)
        #expect(try BrotliEncoder(quality: 11).window == 22)
        // A body longer than announced still round-trips (with the narrower window).
        let original = TestData.text(count: 300_000, seed: 8)
        var encoder = try BrotliEncoder(quality: 5, expectedSize: 1000)
        let encoded = try TestData.encode(original, with: &encoder, seed: 9)
        #expect(try Compression.decode(ByteBuffer(bytes: encoded), coding: .brotli).bytes == original)
    }

    @Test func settingsChooseTheEncoder() throws {
        let settings = CompressionSettings(brotliQuality: 3, brotliWindowBits: 18, gzipLevel: 2)
        let brotli = try #require(try Compression.makeEncoder(for: .brotli, settings: settings) as? BrotliEncoder)
        #expect(brotli.quality == 3)
        #expect(brotli.window == 18)
        let gzip = try #require(try Compression.makeEncoder(for: .gzip, settings: settings) as? GzipEncoder)
        #expect(gzip.level == 2)
        #expect(try Compression.makeEncoder(for: .identity, settings: settings) is IdentityCoder)
    }

    @Test func identityPassesThrough() throws {
        let original = ByteBuffer(string: "unchanged")
        #expect(try Compression.encode(original, coding: .identity) == original)
        #expect(try Compression.decode(original, coding: .identity) == original)
        var encoder = try Compression.makeEncoder(for: .identity)
        #expect(try encoder.process(original, flush: true) == original)
        #expect(try encoder.finish().readableBytes == 0)
        #expect(throws: CompressionError.outputLimitExceeded(limit: 3)) {
            try Compression.decode(original, coding: .identity, maxOutputBytes: 3)
        }
    }

    @Test func gzipConcatenatedMembersDecodeToTheConcatenation() throws {
        var joined = try Compression.encode(ByteBuffer(string: "first "), coding: .gzip)
        joined.writeImmutableBuffer(try Compression.encode(ByteBuffer(string: "second"), coding: .gzip))
        #expect(String(buffer: try Compression.decode(joined, coding: .gzip)) == "first second")
        var decoder = try GzipDecoder()
        let decoded = try TestData.decode(joined.bytes, with: &decoder, seed: 5)
        #expect(decoded == Array("first second".utf8))
    }
}
