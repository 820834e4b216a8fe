import CoreMetrics
import EdgeCompression
import Metrics

/// Compression counters, part of ``EdgeMetrics``. Bytes are counted as the coders run, so a body cut off by
/// its client still counts what was produced for it.
public final class CompressionMetrics: Sendable {
    private let encodedIn: Counter
    private let encodedOut: Counter
    private let decodedIn: Counter
    private let decodedOut: Counter
    private let variantsStored: [ContentCoding: Counter]
    private let recompressions: Counter
    private let recompressionSaved: Counter
    private let failures: Counter

    public init(factory: any MetricsFactory) {
        encodedIn = Counter(label: "edge_compression_input_bytes_total", factory: factory)
        encodedOut = Counter(label: "edge_compression_output_bytes_total", factory: factory)
        decodedIn = Counter(label: "edge_decompression_input_bytes_total", factory: factory)
        decodedOut = Counter(label: "edge_decompression_output_bytes_total", factory: factory)
        variantsStored = [
            .brotli: Counter(label: "edge_compression_variants_stored_total", dimensions: [("coding", "br")],
                             factory: factory),
            .gzip: Counter(label: "edge_compression_variants_stored_total", dimensions: [("coding", "gzip")],
                           factory: factory),
        ]
        recompressions = Counter(label: "edge_compression_recompressions_total", factory: factory)
        recompressionSaved = Counter(label: "edge_compression_recompression_saved_bytes_total", factory: factory)
        failures = Counter(label: "edge_compression_failures_total", factory: factory)
    }

    /// Identity bytes fed to an encoder and coded bytes it produced.
    func encoded(input: Int, output: Int) {
        if input > 0 { encodedIn.increment(by: input) }
        if output > 0 { encodedOut.increment(by: output) }
    }

    /// Coded bytes fed to a decoder (for clients refusing the origin's coding) and identity bytes produced.
    func decoded(input: Int, output: Int) {
        if input > 0 { decodedIn.increment(by: input) }
        if output > 0 { decodedOut.increment(by: output) }
    }

    func variantStored(_ coding: ContentCoding) { variantsStored[coding]?.increment() }

    /// A hot variant recompressed at the higher brotli quality; `saved` may be 0 (nothing gained).
    func recompressed(saved: Int) {
        recompressions.increment()
        if saved > 0 { recompressionSaved.increment(by: saved) }
    }

    func failed() { failures.increment() }
}
