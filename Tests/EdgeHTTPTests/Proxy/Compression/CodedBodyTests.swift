import EdgeCompression
@testable import EdgeHTTP
import NIOCore
import Synchronization
import Testing

@Suite("Coded body")
struct CodedBodyTests {
    static let text = String(repeating: "edge caches brotli variants once per object and coding. ", count: 5_000)

    func collect(_ body: CodedBody) async throws -> (output: ByteBuffer, pieces: Int) {
        var output = ByteBuffer()
        var pieces = 0
        for try await var chunk in body {
            pieces += 1
            output.writeBuffer(&chunk)
        }
        return (output, pieces)
    }

    @Test(arguments: [ContentCoding.brotli, .gzip])
    func encodesAStoredBodyInSlicesAndHandsOverTheWholeOutput(_ coding: ContentCoding) async throws {
        let completed = Recorder<CodedBody.Completion>()
        let body = CodedBody(source: .buffer(ByteBuffer(string: Self.text)),
                             operation: .encode(coding, level: 5, window: 22, expectedSize: Self.text.utf8.count),
                             flushEachChunk: true, onComplete: { completed.set($0) })
        let (output, pieces) = try await collect(body)
        #expect(pieces > 1, "a 280 KB body flushed per 64 KiB slice goes out in several pieces")
        #expect(String(buffer: try Compression.decode(output, coding: coding)) == Self.text)
        let completion = try #require(completed.value)
        #expect(completion.output == output)
        #expect(completion.inputBytes == Self.text.utf8.count)
        #expect(completion.level == 5)
    }

    @Test func decodesWithACap() async throws {
        let encoded = try Compression.encode(ByteBuffer(string: Self.text), coding: .brotli)
        let body = CodedBody(source: .buffer(encoded), operation: .decode(.brotli, maxOutputBytes: 1 << 20),
                             flushEachChunk: false)
        #expect(String(buffer: try await collect(body).output) == Self.text)

        let capped = CodedBody(source: .buffer(encoded), operation: .decode(.brotli, maxOutputBytes: 1000),
                               flushEachChunk: false)
        await #expect(throws: CompressionError.outputLimitExceeded(limit: 1000)) {
            _ = try await collect(capped)
        }
    }

    @Test func aCorruptBodyEndsWithAnErrorAndNothingIsKept() async throws {
        let called = Recorder<Bool>()
        let body = CodedBody(source: .buffer(ByteBuffer(string: "not brotli at all")),
                             operation: .decode(.brotli, maxOutputBytes: 1 << 20), flushEachChunk: false,
                             onComplete: { _ in called.set(true) })
        await #expect(throws: CompressionError.self) { _ = try await collect(body) }
        #expect(called.value == nil)
    }
}

/// Holds what an `onComplete` callback was given.
final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<Value?>(nil)
    func set(_ value: Value) { storage.withLock { $0 = value } }
    var value: Value? { storage.withLock { $0 } }
}
