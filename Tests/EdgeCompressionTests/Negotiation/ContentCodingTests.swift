import EdgeCompression
import Testing

@Suite struct ContentCodingTests {
    @Test(arguments: [
        ("br", ContentCoding.brotli), ("BR", .brotli), (" br ", .brotli), ("gzip", .gzip), ("GZip", .gzip),
        ("x-gzip", .gzip), ("X-Gzip", .gzip), ("identity", .identity), ("IDENTITY", .identity),
    ])
    func knownTokens(_ token: String, _ coding: ContentCoding) {
        #expect(ContentCoding(token: token) == coding)
    }

    @Test(arguments: ["", "deflate", "zstd", "compress", "*", "b r", "gzip2", "x-br"])
    func otherTokens(_ token: String) {
        #expect(ContentCoding(token: token) == nil)
    }

    @Test func tokensAndPreference() {
        #expect(ContentCoding.allCases.map(\.token) == ["br", "gzip", "identity"])
        #expect(ContentCoding.brotli.preferenceRank > ContentCoding.gzip.preferenceRank)
        #expect(ContentCoding.gzip.preferenceRank > ContentCoding.identity.preferenceRank)
    }
}
