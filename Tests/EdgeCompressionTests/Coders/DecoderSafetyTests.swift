import EdgeCompression
import NIOCore
import Testing

@Suite struct DecoderSafetyTests {
    static let codings = [ContentCoding.brotli, .gzip]

    func sample(_ coding: ContentCoding, size: Int = 20_000) throws -> [UInt8] {
        try Compression.encode(ByteBuffer(bytes: TestData.text(count: size, seed: 77)), coding: coding).bytes
    }

    @Test(arguments: codings)
    func everyTruncationIsReported(_ coding: ContentCoding) throws {
        let encoded = try sample(coding, size: 2_000)
        for cut in 1..<encoded.count {
            #expect(throws: CompressionError.truncatedInput(coding), "cut at \(cut) of \(encoded.count)") {
                try Compression.decode(ByteBuffer(bytes: encoded[..<cut]), coding: coding)
            }
        }
    }

    @Test(arguments: codings)
    func trailingBytesAreReported(_ coding: ContentCoding) throws {
        let encoded = try sample(coding)
        #expect(throws: CompressionError.trailingData(coding)) {
            try Compression.decode(ByteBuffer(bytes: encoded + Array("junk".utf8)), coding: coding)
        }
        // Also when the junk arrives in a later piece.
        var decoder = try Compression.makeDecoder(for: coding)
        _ = try decoder.process(ByteBuffer(bytes: encoded))
        #expect(throws: CompressionError.trailingData(coding)) { try decoder.process(ByteBuffer(string: "x")) }
        #expect(throws: CompressionError.streamFailed) { try decoder.finish() }
    }

    @Test func garbageIsCorruptGzip() {
        #expect(throws: CompressionError.self) {
            try Compression.decode(ByteBuffer(string: "this is not gzip data at all"), coding: .gzip)
        }
        do {
            _ = try Compression.decode(ByteBuffer(string: "this is not gzip data at all"), coding: .gzip)
        } catch let error as CompressionError {
            guard case .corruptInput(.gzip, let detail) = error else {
                Issue.record("expected corruptInput, got \(error)")
                return
            }
            #expect(detail.contains("header"))
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    @Test func garbageIsCorruptBrotli() {
        // 0xFF... sets reserved bits in the first meta-block header, which brotli rejects at once.
        let garbage = ByteBuffer(bytes: [UInt8](repeating: 0xFF, count: 64))
        #expect(throws: CompressionError.self) { try Compression.decode(garbage, coding: .brotli) }
        var corrupt = 0
        for seed in UInt64(0)..<200 {
            let random = ByteBuffer(bytes: TestData.random(count: 256, seed: seed))
            do {
                _ = try Compression.decode(random, coding: .brotli)
                Issue.record("random bytes decoded as brotli (seed \(seed))")
            } catch CompressionError.corruptInput(.brotli, _) {
                corrupt += 1
            } catch CompressionError.truncatedInput(.brotli), CompressionError.trailingData(.brotli) {
                // Random bytes may happen to be a valid prefix or a complete tiny stream.
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        #expect(corrupt > 150)
    }

    @Test func gzipChecksumCatchesAnyFlippedByte() throws {
        let encoded = try sample(.gzip)
        // Skip the 10-byte header (its MTIME/XFL/OS bytes are not covered by the checksum).
        for position in stride(from: 10, to: encoded.count, by: max(1, encoded.count / 97)) {
            var damaged = encoded
            damaged[position] ^= 0x20
            #expect(throws: CompressionError.self, "flip at \(position)") {
                try Compression.decode(ByteBuffer(bytes: damaged), coding: .gzip)
            }
        }
    }

    @Test(arguments: codings)
    func outputCapStopsABomb(_ coding: ContentCoding) throws {
        let zeros = ByteBuffer(repeating: 0, count: 20 << 20)
        let bomb = try Compression.encode(zeros, coding: coding, level: coding == .brotli ? 5 : 9)
        #expect(bomb.readableBytes < 64 * 1024, "20 MiB of zeros is a small \(coding) stream")
        let cap = 1 << 20
        var decoder = try Compression.makeDecoder(for: coding, maxOutputBytes: cap)
        var emitted = 0
        #expect(throws: CompressionError.outputLimitExceeded(limit: cap)) {
            try decoder.process(bomb) { emitted += $0.readableBytes }
        }
        #expect(decoder.outputByteCount <= cap + 1)
        #expect(emitted <= cap)
        #expect(throws: CompressionError.streamFailed) { try decoder.process(ByteBuffer(string: "more")) }
    }

    @Test(arguments: codings)
    func outputExactlyAtTheCapIsAllowed(_ coding: ContentCoding) throws {
        let original = ByteBuffer(bytes: TestData.text(count: 70_000, seed: 3))
        let encoded = try Compression.encode(original, coding: coding)
        #expect(try Compression.decode(encoded, coding: coding, maxOutputBytes: 70_000) == original)
        #expect(throws: CompressionError.outputLimitExceeded(limit: 69_999)) {
            try Compression.decode(encoded, coding: coding, maxOutputBytes: 69_999)
        }
        #expect(throws: CompressionError.outputLimitExceeded(limit: 0)) {
            try Compression.decode(encoded, coding: coding, maxOutputBytes: 0)
        }
    }

    @Test(arguments: codings)
    func emptyBodyDecodesToEmpty(_ coding: ContentCoding) throws {
        #expect(try Compression.decode(ByteBuffer(), coding: coding).readableBytes == 0)
        #expect(try Compression.decode(Compression.encode(ByteBuffer(), coding: coding), coding: coding)
            .readableBytes == 0)
    }

    @Test(arguments: codings)
    func lifecycleMisuseIsAnError(_ coding: ContentCoding) throws {
        var encoder = try Compression.makeEncoder(for: coding)
        let encoded = try encoder.finish()
        #expect(try encoder.finish().readableBytes == 0, "finish is idempotent")
        #expect(throws: CompressionError.alreadyFinished) { try encoder.process(ByteBuffer(string: "late")) }

        var decoder = try Compression.makeDecoder(for: coding)
        _ = try decoder.process(encoded)
        _ = try decoder.finish()
        _ = try decoder.finish()
        #expect(throws: CompressionError.alreadyFinished) { try decoder.process(ByteBuffer(string: "late")) }
    }

    @Test func invalidParametersAreRejected() {
        #expect(throws: CompressionError.self) { try BrotliEncoder(quality: 12) }
        #expect(throws: CompressionError.self) { try BrotliEncoder(quality: -1) }
        #expect(throws: CompressionError.self) { try BrotliEncoder(window: 9) }
        #expect(throws: CompressionError.self) { try BrotliEncoder(window: 25) }
        #expect(throws: CompressionError.self) { try BrotliEncoder(outputChunkSize: 10) }
        #expect(throws: CompressionError.self) { try GzipEncoder(level: 0) }
        #expect(throws: CompressionError.self) { try GzipEncoder(level: 10) }
        #expect(throws: CompressionError.self) { try GzipDecoder(maxOutputBytes: -1) }
        #expect(throws: CompressionError.self) { try BrotliDecoder(maxOutputBytes: -1) }
        #expect(throws: CompressionError.self) {
            try Compression.encode(ByteBuffer(string: "x"), coding: .gzip, level: 11)
        }
    }

    @Test func errorsDescribeThemselves() {
        #expect(CompressionError.truncatedInput(.gzip).description.contains("gzip"))
        #expect(CompressionError.outputLimitExceeded(limit: 10).description.contains("10"))
    }
}
