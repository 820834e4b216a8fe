import EdgeConfig
import Testing

/// `[defaults.compression]` and `[nodes.compression]`.
@Suite struct CompressionConfigTests {
    let minimal = ConfigFixtures.minimal

    func node(_ text: String) throws -> NodeConfiguration {
        let config = try ConfigLoader.parse(text: text, path: "edge.conf")
        return try config.node(named: "edge-1")
    }

    @Test func builtInDefaults() throws {
        let compression = try node(minimal).compression
        #expect(compression == CompressionConfig())
        #expect(compression.enabled)
        #expect(compression.types == nil)
        #expect(compression.minSize == 256)
        #expect(compression.brotliLevel == 5 && compression.gzipLevel == 6)
        #expect(compression.recompressHits == 10 && compression.recompressLevel == 11)
    }

    @Test func theExampleDocumentsTheSection() throws {
        let config = try ConfigLoader.load(path: ConfigFixtures.exampleConfigPath)
        let compression = try config.node(named: "edge-1").compression
        #expect(compression.enabled)
        #expect(compression.brotliLevel == 5)
        #expect(compression.types?.contains("text/html") == true)
    }

    @Test func aNodeRefinesTheDefaultsKeyByKey() throws {
        let text = """
            [defaults.compression]
            types = ["text/*", "application/*+json"]
            min_size = "1KiB"
            brotli_level = 4
            recompress_hits = 0

            """ + minimal + """
            [nodes.compression]
            gzip_level = 9
            recompress_hits = 50
            recompress_level = 10

            """
        let compression = try node(text).compression
        #expect(compression.types == ["text/*", "application/*+json"])
        #expect(compression.minSize == 1024)
        #expect(compression.brotliLevel == 4)
        #expect(compression.gzipLevel == 9)
        #expect(compression.recompressHits == 50)
        #expect(compression.recompressLevel == 10)
    }

    @Test func badValuesNameTheLineAndKey() throws {
        let badType = try #require(ConfigFixtures.error("[defaults.compression]\ntypes = [\"text/html\", \"html\"]\n" + minimal))
        #expect(badType.description.contains("edge.conf:2: defaults.compression.types[1]: expected a media type pattern"))
        #expect(badType.description.contains("got \"html\""))

        let wildcardType = try #require(ConfigFixtures.error("[defaults.compression]\ntypes = [\"*/html\"]\n" + minimal))
        #expect(wildcardType.description.contains("defaults.compression.types[0]"))

        let level = try #require(ConfigFixtures.error("[defaults.compression]\nbrotli_level = 12\n" + minimal))
        #expect(level.description.contains("edge.conf:2: defaults.compression.brotli_level: expected an integer from 0 to 11"))

        let gzip = try #require(ConfigFixtures.error("[defaults.compression]\ngzip_level = 0\n" + minimal))
        #expect(gzip.description.contains("defaults.compression.gzip_level"))

        let unknown = try #require(ConfigFixtures.error("[defaults.compression]\nbrotli_quality = 5\n" + minimal))
        #expect(unknown.description.contains("defaults.compression.brotli_quality: unknown key"))
        #expect(unknown.description.contains("brotli_level"))
    }

    @Test func recompressionMustRaiseTheQuality() throws {
        let error = try #require(ConfigFixtures.error(
            "[defaults.compression]\nbrotli_level = 11\n" + minimal))
        #expect(error.description.contains("brotli_level: expected recompress_level above brotli_level"))
        // Fine once recompression is off.
        #expect(try node("[defaults.compression]\nbrotli_level = 11\nrecompress_hits = 0\n" + minimal)
                    .compression.brotliLevel == 11)
    }

    @Test func aKeyOneLevelTooHighIsPointedAtItsSection() throws {
        let error = try #require(ConfigFixtures.error("[defaults]\ngzip_level = 6\n" + minimal))
        #expect(error.description.contains("compression.gzip_level"))
    }
}
