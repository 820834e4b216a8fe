import EdgeCompression
@testable import EdgeHTTP
import Testing

@Suite("Variant stamp")
struct VariantStampTests {
    @Test func roundTripsExactly() throws {
        let stamp = VariantStamp(coding: .brotli, level: 5, baseStoredAt: 1_732_380_000.123456789,
                                 baseResponseTime: 1_732_380_001.000_000_1)
        let parsed = try #require(VariantStamp(fieldValue: stamp.fieldValue))
        #expect(parsed == stamp)
        #expect(parsed.baseStoredAt.bitPattern == stamp.baseStoredAt.bitPattern)
    }

    @Test(arguments: [
        "", "br", "identity; level=5; base=1; headers=2", "zstd; level=5; base=1; headers=2",
        "br; level=x; base=1; headers=2", "br; level=5; base=zz; headers=2", "br; level=5; base=1",
        "br; level=5; base=1; headers=2; extra=3", "br; level; base=1; headers=2",
    ])
    func refusesWhatItDidNotWrite(_ value: String) {
        #expect(VariantStamp(fieldValue: value) == nil)
    }
}
