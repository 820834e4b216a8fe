import EdgeCore
import Testing

@Suite("Preconditions (RFC 9110 §13.2.2)")
struct ConditionalRequestTests {
    let validators = Validators(etag: EntityTag(opaque: "v1"), lastModified: 1_000_000)

    @Test func ifNoneMatchGivesNotModifiedForGetAndFailureOtherwise() {
        #expect(ConditionalRequest(ifNoneMatch: "\"v1\"").evaluate(against: validators) == .notModified)
        #expect(ConditionalRequest(ifNoneMatch: "W/\"v1\"").evaluate(against: validators) == .notModified)
        #expect(ConditionalRequest(ifNoneMatch: "\"v2\"").evaluate(against: validators) == .proceed)
        #expect(ConditionalRequest(ifNoneMatch: "*").evaluate(against: validators) == .notModified)
        #expect(ConditionalRequest(ifNoneMatch: "\"v1\"", isGetOrHead: false).evaluate(against: validators)
            == .preconditionFailed)
    }

    @Test func ifNoneMatchTakesPrecedenceOverIfModifiedSince() {
        let request = ConditionalRequest(ifNoneMatch: "\"v2\"", ifModifiedSince: Substring(HTTPDate.format(2_000_000)))
        #expect(request.evaluate(against: validators) == .proceed)
    }

    @Test func ifModifiedSince() {
        #expect(ConditionalRequest(ifModifiedSince: Substring(HTTPDate.format(1_000_000))).evaluate(against: validators)
            == .notModified)
        #expect(ConditionalRequest(ifModifiedSince: Substring(HTTPDate.format(999_999))).evaluate(against: validators)
            == .proceed)
        #expect(ConditionalRequest(ifModifiedSince: "not a date").evaluate(against: validators) == .proceed)
    }

    @Test func ifMatchAndIfUnmodifiedSince() {
        #expect(ConditionalRequest(ifMatch: "\"v1\"").evaluate(against: validators) == .proceed)
        #expect(ConditionalRequest(ifMatch: "W/\"v1\"").evaluate(against: validators) == .preconditionFailed)
        #expect(ConditionalRequest(ifMatch: "\"v2\"").evaluate(against: validators) == .preconditionFailed)
        #expect(ConditionalRequest(ifUnmodifiedSince: Substring(HTTPDate.format(999_999))).evaluate(against: validators)
            == .preconditionFailed)
        #expect(ConditionalRequest(ifUnmodifiedSince: Substring(HTTPDate.format(1_000_000)))
            .evaluate(against: validators) == .proceed)
    }

    @Test func ifRange() {
        #expect(ConditionalRequest(ifRange: "\"v1\"").rangeApplies(to: validators))
        #expect(!ConditionalRequest(ifRange: "W/\"v1\"").rangeApplies(to: validators))
        #expect(!ConditionalRequest(ifRange: "\"v2\"").rangeApplies(to: validators))
        #expect(ConditionalRequest(ifRange: Substring(HTTPDate.format(1_000_000))).rangeApplies(to: validators))
        #expect(!ConditionalRequest(ifRange: Substring(HTTPDate.format(1_000_001))).rangeApplies(to: validators))
        #expect(ConditionalRequest().rangeApplies(to: validators))
    }
}
