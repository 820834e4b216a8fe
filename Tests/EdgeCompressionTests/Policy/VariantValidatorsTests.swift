import EdgeCompression
import EdgeCore
import Testing

@Suite struct VariantValidatorsTests {
    @Test func codedVariantsGetTheirOwnWeakTag() {
        let strong = EntityTag(opaque: "abc")
        #expect(VariantValidators.etag(for: .brotli, identity: strong).description == "W/\"abc-br\"")
        #expect(VariantValidators.etag(for: .gzip, identity: strong).description == "W/\"abc-gzip\"")
        #expect(VariantValidators.etag(for: .identity, identity: strong) == strong)
        let weak = EntityTag(opaque: "v1", isWeak: true)
        #expect(VariantValidators.etag(for: .brotli, identity: weak).description == "W/\"v1-br\"")
    }

    @Test func variantTagsNeverMatchEachOtherOrIfRange() {
        let identity = EntityTag(opaque: "abc")
        let brotli = VariantValidators.etag(for: .brotli, identity: identity)
        let gzip = VariantValidators.etag(for: .gzip, identity: identity)
        #expect(!brotli.weaklyMatches(gzip))
        #expect(!brotli.weaklyMatches(identity))
        #expect(brotli.weaklyMatches(brotli))
        #expect(!brotli.stronglyMatches(brotli))  // weak: If-Range never selects a coded variant
    }

    @Test func fieldValues() {
        #expect(VariantValidators.etag(for: .brotli, identityFieldValue: "\"x\"") == "W/\"x-br\"")
        #expect(VariantValidators.etag(for: .gzip, identityFieldValue: " W/\"x\" ") == "W/\"x-gzip\"")
        #expect(VariantValidators.etag(for: .brotli, identityFieldValue: "x") == nil)
        #expect(VariantValidators.etag(for: .brotli, identityFieldValue: "") == nil)
    }

    @Test func validatorsKeepLastModified() {
        let identity = Validators(etag: EntityTag(opaque: "e"), lastModified: 1_700_000_000)
        let variant = VariantValidators.validators(for: .gzip, identity: identity)
        #expect(variant.etag?.description == "W/\"e-gzip\"")
        #expect(variant.lastModified == 1_700_000_000)
        #expect(VariantValidators.validators(for: .brotli, identity: Validators(lastModified: 5)).etag == nil)
    }

    @Test(arguments: [
        ([], "Accept-Encoding"),
        ([""], "Accept-Encoding"),
        (["Origin"], "Origin, Accept-Encoding"),
        (["accept-encoding"], "accept-encoding"),
        (["Origin, ACCEPT-ENCODING"], "Origin, ACCEPT-ENCODING"),
        (["*"], "*"),
        (["Origin, *"], "*"),
        (["Origin", "Cookie, Origin"], "Origin, Cookie, Accept-Encoding"),
        ([" Origin ,, "], "Origin, Accept-Encoding"),
    ])
    func varyMerge(_ lines: [String], _ expected: String) {
        #expect(VariantValidators.vary(merging: lines) == expected)
    }

    @Test func varyMergeOptionalLine() {
        #expect(VariantValidators.vary(merging: nil as String?) == "Accept-Encoding")
        #expect(VariantValidators.vary(merging: "Origin" as String?) == "Origin, Accept-Encoding")
    }
}
