import EdgeCompression
import NIOCore

/// A small seeded generator so every data set and chunking is reproducible from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum DataKind: String, CaseIterable, Sendable {
    /// Incompressible bytes: the worst case for output size.
    case random
    /// HTML-like text: the case the edge compresses in practice.
    case text
}

enum TestData {
    static func bytes(_ kind: DataKind, count: Int, seed: UInt64) -> [UInt8] {
        switch kind {
        case .random: random(count: count, seed: seed)
        case .text: text(count: count, seed: seed)
        }
    }

    static func random(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var result = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<8 where index < count {
                result[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return result
    }

    private static let vocabulary: [[UInt8]] = [
        "<div class=\"item\">", "</div>", "<p>", "</p>", "<a href=\"/products/", "\">", "</a>", "function",
        "return", "const", "the", "edge", "cache", "brotli", "compression", "response", "request", "header",
        "content", "{", "}", ";", "=", "(", ")", "color: #336699;", "margin: 0 auto;", "var", "if", "else",
        "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
    ].map { Array($0.utf8) }

    static func text(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var result: [UInt8] = []
        result.reserveCapacity(count + 64)
        while result.count < count {
            let word = vocabulary[Int(generator.next() % UInt64(vocabulary.count))]
            result.append(contentsOf: word)
            let separator = generator.next() % 12
            result.append(separator == 0 ? UInt8(ascii: "\n") : UInt8(ascii: " "))
            if separator == 1 {
                // A number now and then, so the text is not a pure dictionary replay.
                result.append(contentsOf: Array(String(generator.next() % 100_000).utf8))
            }
        }
        return Array(result.prefix(count))
    }

    /// Splits `bytes` into pieces whose sizes spread evenly over powers of two from 1 byte to 128 KiB.
    static func chunks(of bytes: [UInt8], seed: UInt64) -> [ArraySlice<UInt8>] {
        var generator = SplitMix64(seed: seed)
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        while start < bytes.count {
            let exponent = Int(generator.next() % 17)
            let size = (1 << exponent) + Int(generator.next() % UInt64(1 << exponent))
            let end = min(bytes.count, start + size)
            pieces.append(bytes[start..<end])
            start = end
        }
        return pieces
    }

    /// Encodes `bytes` fed in random pieces; every emitted output piece is checked against `maxPiece`.
    static func encode(
        _ bytes: [UInt8],
        with encoder: inout some StreamingEncoder,
        seed: UInt64,
        maxPiece: Int = 64 * 1024
    ) throws -> [UInt8] {
        try feed(bytes, seed: seed, maxPiece: maxPiece,
                 process: { try encoder.process($0, flush: false, emit: $1) }, finish: { try encoder.finish(emit: $0) })
    }

    /// Decodes `bytes` fed in random pieces; every emitted output piece is checked against `maxPiece`.
    static func decode(
        _ bytes: [UInt8],
        with decoder: inout some StreamingDecoder,
        seed: UInt64,
        maxPiece: Int = 64 * 1024
    ) throws -> [UInt8] {
        try feed(bytes, seed: seed, maxPiece: maxPiece,
                 process: { try decoder.process($0, emit: $1) }, finish: { try decoder.finish(emit: $0) })
    }

    /// Feeds `bytes` in random pieces to a coder's `process`, then calls its `finish`; collects the output.
    private static func feed(
        _ bytes: [UInt8],
        seed: UInt64,
        maxPiece: Int,
        process: (ByteBuffer, (ByteBuffer) -> Void) throws -> Void,
        finish: ((ByteBuffer) -> Void) throws -> Void
    ) throws -> [UInt8] {
        var output: [UInt8] = []
        var largestPiece = 0
        let emit: (ByteBuffer) -> Void = { piece in
            largestPiece = max(largestPiece, piece.readableBytes)
            output.append(contentsOf: piece.readableBytesView)
        }
        for piece in chunks(of: bytes, seed: seed) {
            try process(ByteBuffer(bytes: piece), emit)
        }
        try finish(emit)
        if largestPiece > maxPiece { throw PieceTooLarge(size: largestPiece, limit: maxPiece) }
        return output
    }

    static func encoder(for coding: ContentCoding, level: Int? = nil) throws -> any StreamingEncoder {
        try Compression.makeEncoder(for: coding, level: level)
    }
}

struct PieceTooLarge: Error, CustomStringConvertible {
    var size: Int
    var limit: Int
    var description: String { "an output piece of \(size) bytes exceeds the chunk size \(limit)" }
}

extension ByteBuffer {
    var bytes: [UInt8] { Array(readableBytesView) }
}
