/// What the edge compresses and how hard it tries. A value type with defaults that suit a CDN; the config
/// layer fills it from `edge.conf` and calls ``validate()`` so a bad level is reported at startup, not when
/// the first response is encoded.
public struct CompressionSettings: Sendable, Equatable {
    /// Background recompression of popular objects at a higher brotli quality.
    ///
    /// The first compression has to be fast because a client may be waiting (it streams); once an object has
    /// proved popular, spending ~10-50x the CPU once at quality 11 saves bytes on every later hit.
    public struct HotRecompression: Sendable, Equatable {
        public var enabled: Bool
        /// Hits on the object before it is recompressed.
        public var minimumHits: Int
        /// Brotli quality for the recompressed variant (BROTLI_MAX_QUALITY is 11).
        public var brotliQuality: Int

        public init(enabled: Bool = true, minimumHits: Int = 10, brotliQuality: Int = 11) {
            self.enabled = enabled
            self.minimumHits = minimumHits
            self.brotliQuality = brotliQuality
        }

        /// Whether a brotli variant made at `currentQuality` that has been served `hits` times should now be
        /// recompressed. False once it is at the target quality, so each object is recompressed at most once.
        public func shouldRecompress(hits: Int, currentQuality: Int) -> Bool {
            enabled && hits >= minimumHits && currentQuality < brotliQuality
        }
    }

    public var enabled: Bool
    /// Content types worth compressing. Already-compressed formats (images, video, woff/woff2, zip) are left
    /// out on purpose: recompressing them costs CPU and usually makes them larger.
    public var mediaTypes: [MediaTypePattern]
    /// Bodies shorter than this are sent as they are: below a few hundred bytes the coding's framing and the
    /// extra `Vary` variant cost more than the bytes saved.
    public var minimumBodyBytes: Int
    /// Brotli quality (0...11) for the first compression, which may happen while the client waits.
    public var brotliQuality: Int
    /// Brotli window, log2 of bytes (10...24). 22 (4 MiB) is brotli's default and what browsers expect.
    public var brotliWindowBits: Int
    /// gzip level (1...9) for clients without brotli.
    public var gzipLevel: Int
    public var hotRecompression: HotRecompression

    public init(
        enabled: Bool = true,
        mediaTypes: [MediaTypePattern] = CompressionSettings.defaultMediaTypes,
        minimumBodyBytes: Int = 256,
        brotliQuality: Int = 5,
        brotliWindowBits: Int = 22,
        gzipLevel: Int = 6,
        hotRecompression: HotRecompression = HotRecompression()
    ) {
        self.enabled = enabled
        self.mediaTypes = mediaTypes
        self.minimumBodyBytes = minimumBodyBytes
        self.brotliQuality = brotliQuality
        self.brotliWindowBits = brotliWindowBits
        self.gzipLevel = gzipLevel
        self.hotRecompression = hotRecompression
    }

    /// Text and text-like types plus uncompressed font formats. `text/event-stream` is deliberately absent
    /// (that is why there is no `text/*`): compressing server-sent events delays each event behind the
    /// encoder's buffer.
    public static let defaultMediaTypes: [MediaTypePattern] = [
        "text/html", "text/css", "text/plain", "text/javascript", "text/xml", "text/csv", "text/markdown",
        "text/calendar", "text/vtt",
        "application/javascript", "application/x-javascript", "application/ecmascript",
        "application/json", "application/*+json", "application/xml", "application/*+xml",
        "application/wasm", "application/x-yaml", "application/yaml",
        "image/svg+xml", "image/x-icon", "image/vnd.microsoft.icon", "image/bmp",
        "font/ttf", "font/otf", "font/collection", "application/vnd.ms-fontobject",
        "application/x-font-ttf", "application/x-font-otf",
    ].compactMap { MediaTypePattern($0) }

    /// The configured level for a coding's first compression (`nil` for identity).
    public func level(for coding: ContentCoding) -> Int? {
        switch coding {
        case .brotli: brotliQuality
        case .gzip: gzipLevel
        case .identity: nil
        }
    }

    /// Throws ``CompressionError/invalidParameter(_:)`` naming the first setting out of range.
    public func validate() throws(CompressionError) {
        guard minimumBodyBytes >= 0 else {
            throw .invalidParameter("minimum body size must be >= 0, got \(minimumBodyBytes)")
        }
        guard BrotliEncoder.qualityRange.contains(brotliQuality) else {
            throw .invalidParameter("brotli quality must be 0...11, got \(brotliQuality)")
        }
        guard BrotliEncoder.windowRange.contains(brotliWindowBits) else {
            throw .invalidParameter("brotli window must be 10...24, got \(brotliWindowBits)")
        }
        guard GzipEncoder.levelRange.contains(gzipLevel) else {
            throw .invalidParameter("gzip level must be 1...9, got \(gzipLevel)")
        }
        guard hotRecompression.minimumHits >= 1 else {
            throw .invalidParameter("hot recompression threshold must be >= 1 hit, got \(hotRecompression.minimumHits)")
        }
        guard BrotliEncoder.qualityRange.contains(hotRecompression.brotliQuality) else {
            throw .invalidParameter("hot recompression quality must be 0...11, got \(hotRecompression.brotliQuality)")
        }
    }
}
