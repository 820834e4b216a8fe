import EdgeCompression

/// The proxy's compression state: settings, the `Accept-Encoding` memo, the variant builds in flight and the
/// background recompressor. One per engine.
final class CompressionRuntime: Sendable {
    let settings: CompressionSettings
    let policy: CompressionPolicy
    let memo = AcceptEncodingMemo()
    let builds = VariantBuilds()
    let claims = VariantClaims()
    let recompressor = HotRecompressor()
    let metrics: CompressionMetrics

    /// Stored bases up to this size are compressed whole before the response starts (~8 ms of CPU at brotli 5),
    /// so the response carries a Content-Length and concurrent requests share the one compression. Larger
    /// bases are compressed while they are sent.
    static let wholeBodyLimit = 512 << 10
    /// The most a decoded body may grow to. Decoding streams (nothing is held), so this only stops a
    /// decompression bomb from turning a small stored object into an endless response.
    static let maxDecodedBytes = 256 << 20

    init(settings: CompressionSettings, metrics: CompressionMetrics) {
        self.settings = settings
        self.policy = CompressionPolicy(settings: settings)
        self.metrics = metrics
    }

    /// The level the first compression uses for `coding`.
    func level(for coding: ContentCoding) -> Int {
        settings.level(for: coding) ?? 0
    }

    func encodeOperation(_ coding: ContentCoding, expectedSize: Int?) -> CodedBody.Operation {
        .encode(coding, level: level(for: coding), window: settings.brotliWindowBits, expectedSize: expectedSize)
    }
}
