import NIOCore

/// Entry points that pick the coder for a ``ContentCoding``: factories for streaming bodies and one-shot
/// helpers for bodies already in memory (background recompression, tests, small objects).
public enum Compression {
    /// A streaming encoder for `coding`. `level` is the brotli quality (0...11) or gzip level (1...9);
    /// `nil` takes the coder's default (brotli 5, gzip 6). `brotliWindow` (10...24, default 22) is ignored
    /// for gzip. `expectedSize` is the body length when known.
    public static func makeEncoder(
        for coding: ContentCoding,
        level: Int? = nil,
        brotliWindow: Int? = nil,
        expectedSize: Int? = nil
    ) throws -> any StreamingEncoder {
        switch coding {
        case .brotli:
            try BrotliEncoder(
                quality: level ?? BrotliEncoder.defaultQuality,
                window: brotliWindow ?? BrotliEncoder.defaultWindow,
                expectedSize: expectedSize
            )
        case .gzip:
            try GzipEncoder(level: level ?? GzipEncoder.defaultLevel)
        case .identity:
            IdentityCoder()
        }
    }

    /// A streaming decoder for `coding` that refuses to produce more than `maxOutputBytes`.
    public static func makeDecoder(
        for coding: ContentCoding,
        maxOutputBytes: Int? = nil
    ) throws -> any StreamingDecoder {
        switch coding {
        case .brotli: try BrotliDecoder(maxOutputBytes: maxOutputBytes)
        case .gzip: try GzipDecoder(maxOutputBytes: maxOutputBytes)
        case .identity: IdentityCoder(maxOutputBytes: maxOutputBytes)
        }
    }

    /// A streaming encoder for the first compression of a response under `settings` (their brotli
    /// quality and window, or gzip level).
    public static func makeEncoder(
        for coding: ContentCoding,
        settings: CompressionSettings,
        expectedSize: Int? = nil
    ) throws -> any StreamingEncoder {
        try makeEncoder(
            for: coding, level: settings.level(for: coding), brotliWindow: settings.brotliWindowBits,
            expectedSize: expectedSize
        )
    }

    /// Compresses a whole body. Identity returns `bytes` unchanged.
    public static func encode(
        _ bytes: ByteBuffer,
        coding: ContentCoding,
        level: Int? = nil,
        brotliWindow: Int? = nil
    ) throws -> ByteBuffer {
        guard coding != .identity else { return bytes }
        var encoder = try makeEncoder(
            for: coding, level: level, brotliWindow: brotliWindow, expectedSize: bytes.readableBytes
        )
        var collector = OutputCollector()
        try encoder.process(bytes, flush: false) { collector.append($0) }
        try encoder.finish { collector.append($0) }
        return collector.buffer
    }

    /// Decompresses a whole body, checking it is complete and at most `maxOutputBytes` long when decoded.
    public static func decode(
        _ bytes: ByteBuffer,
        coding: ContentCoding,
        maxOutputBytes: Int? = nil
    ) throws -> ByteBuffer {
        var decoder = try makeDecoder(for: coding, maxOutputBytes: maxOutputBytes)
        var collector = OutputCollector()
        try decoder.process(bytes) { collector.append($0) }
        try decoder.finish { collector.append($0) }
        return collector.buffer
    }
}
