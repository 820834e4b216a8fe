import EdgeCompression
import EdgeConfig

extension CompressionSettings {
    /// The compression module's settings for a node's `[compression]` table. The config layer has checked
    /// every value already; a pattern or level it let through but this module refuses is still reported, never
    /// crashed on.
    init(_ config: CompressionConfig, node: String) throws(NodeSettingsMapper.MappingError) {
        var mediaTypes = CompressionSettings.defaultMediaTypes
        if let types = config.types {
            mediaTypes = []
            for text in types {
                guard let pattern = MediaTypePattern(text) else {
                    throw NodeSettingsMapper.MappingError(
                        description: "node \(node): compression.types: not a media type pattern: \"\(text)\"")
                }
                mediaTypes.append(pattern)
            }
        }
        self.init(
            enabled: config.enabled, mediaTypes: mediaTypes, minimumBodyBytes: config.minSize,
            brotliQuality: config.brotliLevel, gzipLevel: config.gzipLevel,
            hotRecompression: HotRecompression(enabled: config.recompressHits > 0,
                                               minimumHits: max(1, config.recompressHits),
                                               brotliQuality: config.recompressLevel))
        do {
            try validate()
        } catch {
            throw NodeSettingsMapper.MappingError(description: "node \(node): compression: \(error)")
        }
    }
}
