import EdgeCompression
import Testing

@Suite struct CompressionSettingsTests {
    @Test func defaultsAreValidAndSensible() throws {
        let settings = CompressionSettings()
        try settings.validate()
        #expect(settings.enabled)
        #expect(settings.brotliQuality == 5)
        #expect(settings.gzipLevel == 6)
        #expect(settings.level(for: .brotli) == 5)
        #expect(settings.level(for: .gzip) == 6)
        #expect(settings.level(for: .identity) == nil)
        #expect(settings.hotRecompression.brotliQuality == 11)
        let types = settings.mediaTypes.map(\.description)
        #expect(types.contains("text/html"))
        #expect(!types.contains("font/woff2"))
        #expect(!types.contains("text/*"))
    }

    @Test(arguments: [
        CompressionSettings(minimumBodyBytes: -1),
        CompressionSettings(brotliQuality: 12),
        CompressionSettings(brotliQuality: -1),
        CompressionSettings(brotliWindowBits: 9),
        CompressionSettings(brotliWindowBits: 25),
        CompressionSettings(gzipLevel: 0),
        CompressionSettings(gzipLevel: 10),
        CompressionSettings(hotRecompression: .init(minimumHits: 0)),
        CompressionSettings(hotRecompression: .init(brotliQuality: 12)),
    ])
    func invalidSettingsAreRejected(_ settings: CompressionSettings) {
        #expect(throws: CompressionError.self) { try settings.validate() }
    }

    @Test func hotRecompressionThreshold() {
        let hot = CompressionSettings.HotRecompression(enabled: true, minimumHits: 3, brotliQuality: 11)
        #expect(!hot.shouldRecompress(hits: 2, currentQuality: 5))
        #expect(hot.shouldRecompress(hits: 3, currentQuality: 5))
        #expect(hot.shouldRecompress(hits: 100, currentQuality: 10))
        #expect(!hot.shouldRecompress(hits: 100, currentQuality: 11))
        let off = CompressionSettings.HotRecompression(enabled: false, minimumHits: 1)
        #expect(!off.shouldRecompress(hits: 100, currentQuality: 0))
    }
}

extension CompressionSettings: CustomTestStringConvertible {
    public var testDescription: String {
        "min \(minimumBodyBytes) br q\(brotliQuality) w\(brotliWindowBits) gzip \(gzipLevel) hot \(hotRecompression)"
    }
}
