import EdgeCache
import EdgeCompression
import EdgeUpstream
import NIOCore

/// A response body encoded or decoded while it is sent.
///
/// Pull-based: the coder runs in the task that writes the response (never on an event loop) and only as fast
/// as the client reads, so no buffer grows between the source and the client. The coder itself is created in
/// the iterator, since native coders are not `Sendable` and belong to one body.
public struct CodedBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    enum Source: Sendable {
        /// A stored base, fed to the coder in slices so the first coded bytes go out early.
        case buffer(ByteBuffer)
        /// A body still arriving from upstream through the cache (fills and coalesced followers).
        case shared(SharedBody.Reader)
        /// A body streamed from upstream to this client only (uncacheable and pass-through responses).
        case upstream(UpstreamBody)
    }

    enum Operation: Sendable {
        case encode(ContentCoding, level: Int, window: Int, expectedSize: Int?)
        /// `maxOutputBytes` bounds what a decompression bomb can make this node send.
        case decode(ContentCoding, maxOutputBytes: Int)
    }

    /// The whole coded output, handed over once the source ended and the coder finished cleanly.
    struct Completion: Sendable {
        var output: ByteBuffer
        var inputBytes: Int
        var level: Int
    }

    let source: Source
    let operation: Operation
    /// Flush after every source chunk, so what upstream sent so far reaches the client at once (streamed fills);
    /// off for stored bases, where flushing would only cost ratio.
    let flushEachChunk: Bool
    /// Called with the complete output when the body was coded to its end; `nil` when nothing is kept.
    let onComplete: (@Sendable (Completion) -> Void)?
    let metrics: CompressionMetrics?

    static let sliceBytes = 64 * 1024

    init(source: Source, operation: Operation, flushEachChunk: Bool,
         onComplete: (@Sendable (Completion) -> Void)? = nil, metrics: CompressionMetrics? = nil) {
        self.source = source
        self.operation = operation
        self.flushEachChunk = flushEachChunk
        self.onComplete = onComplete
        self.metrics = metrics
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(body: self)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        private let body: CodedBody
        private var input: Input
        private var coder: Coder?
        private var collected: ByteBuffer?
        private var inputBytes = 0
        private var done = false

        init(body: CodedBody) {
            self.body = body
            switch body.source {
            case .buffer(let buffer): input = .buffer(buffer)
            case .shared(let reader): input = .shared(reader)
            case .upstream(let upstream): input = .upstream(upstream.makeAsyncIterator())
            }
            collected = body.onComplete == nil ? nil : ByteBuffer()
        }

        public mutating func next() async throws -> ByteBuffer? {
            guard !done else { return nil }
            do {
                return try await step()
            } catch {
                done = true
                throw error
            }
        }

        private mutating func step() async throws -> ByteBuffer? {
            var coder = try self.coder ?? Coder(body.operation)
            defer { self.coder = coder }
            while let chunk = try await input.next() {
                inputBytes += chunk.readableBytes
                let output = try coder.process(chunk, flush: body.flushEachChunk)
                if output.readableBytes > 0 {
                    account(input: chunk.readableBytes, output: output)
                    return output
                }
                account(input: chunk.readableBytes, output: output)
            }
            let tail = try coder.finish()
            done = true
            account(input: 0, output: tail)
            if let onComplete = body.onComplete, let collected {
                onComplete(Completion(output: collected, inputBytes: inputBytes, level: coder.level))
            }
            return tail.readableBytes > 0 ? tail : nil
        }

        private mutating func account(input: Int, output: ByteBuffer) {
            if output.readableBytes > 0, collected != nil {
                var piece = output
                collected?.writeBuffer(&piece)
            }
            guard let metrics = body.metrics else { return }
            switch body.operation {
            case .encode: metrics.encoded(input: input, output: output.readableBytes)
            case .decode: metrics.decoded(input: input, output: output.readableBytes)
            }
        }
    }

    /// The source as one iterator.
    private enum Input {
        case buffer(ByteBuffer)
        case shared(SharedBody.Reader)
        case upstream(UpstreamBody.AsyncIterator)

        mutating func next() async throws -> ByteBuffer? {
            switch self {
            case .buffer(var remaining):
                guard remaining.readableBytes > 0,
                      let slice = remaining.readSlice(length: Swift.min(CodedBody.sliceBytes, remaining.readableBytes))
                else { return nil }
                self = .buffer(remaining)
                return slice
            case .shared(var reader):
                let chunk = try await reader.next()
                self = .shared(reader)
                return chunk
            case .upstream(var iterator):
                let chunk = try await iterator.next()
                self = .upstream(iterator)
                return chunk
            }
        }
    }

    /// An encoder or a decoder behind one interface.
    private struct Coder {
        var encoder: (any StreamingEncoder)?
        var decoder: (any StreamingDecoder)?
        let level: Int

        init(_ operation: Operation) throws {
            switch operation {
            case .encode(let coding, let level, let window, let expectedSize):
                encoder = try Compression.makeEncoder(for: coding, level: level, brotliWindow: window,
                                                      expectedSize: expectedSize)
                self.level = level
            case .decode(let coding, let maxOutputBytes):
                decoder = try Compression.makeDecoder(for: coding, maxOutputBytes: maxOutputBytes)
                level = 0
            }
        }

        mutating func process(_ input: ByteBuffer, flush: Bool) throws -> ByteBuffer {
            if var encoder {
                defer { self.encoder = encoder }
                return try encoder.process(input, flush: flush)
            }
            if var decoder {
                defer { self.decoder = decoder }
                return try decoder.process(input)
            }
            return input
        }

        mutating func finish() throws -> ByteBuffer {
            if var encoder {
                defer { self.encoder = encoder }
                return try encoder.finish()
            }
            if var decoder {
                defer { self.decoder = decoder }
                return try decoder.finish()
            }
            return ByteBuffer()
        }
    }
}
