/// What a node compresses at delivery (`[defaults.compression]` / `[nodes.compression]`): brotli and gzip
/// variants made once per object and stored beside it, and hot objects recompressed at a higher quality.
///
/// Kept as plain values: the executable turns them into the compression module's settings, so this module
/// does not depend on it. `types == nil` means the built-in list of compressible types.
public struct CompressionConfig: Sendable, Equatable {
    public var enabled = true
    /// Media type patterns (`text/html`, `text/*`, `application/*+json`); `nil` keeps the built-in list.
    public var types: [String]?
    /// Bodies shorter than this are sent as they are.
    public var minSize = 256
    /// Brotli quality (0...11) of the first compression, which may happen while a client waits.
    public var brotliLevel = 5
    /// gzip level (1...9) for clients without brotli.
    public var gzipLevel = 6
    /// Hits on a brotli variant before it is recompressed at `recompressLevel` in the background; 0 = never.
    public var recompressHits = 10
    public var recompressLevel = 11

    public init() {}
}
