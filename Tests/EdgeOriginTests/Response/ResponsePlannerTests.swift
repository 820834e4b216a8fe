import EdgeCore
import Testing
@testable import EdgeOrigin

@Suite struct ResponsePlannerTests {
    let now: Int64 = 1_700_000_000
    let modified: Int64 = 1_699_990_000
    let rule = OriginRule(cacheControl: "public, max-age=60",
                          headers: [HeaderField(name: "Vary", value: "Accept-Language"),
                                    HeaderField(name: "Set-Cookie", value: "s=1")])

    private func representation(_ rule: OriginRule, length: Int = 1000) -> Representation {
        Representation(length: length, contentType: "text/plain; charset=utf-8",
                       validators: ResponsePlanner.validators(rule: rule, seed: "abc", lastModified: modified))
    }

    private func plan(_ request: PlannerRequest, rule: OriginRule? = nil, length: Int = 1000) -> ResponsePlan {
        let rule = rule ?? self.rule
        return ResponsePlanner.plan(request: request, representation: representation(rule, length: length),
                                    rule: rule, now: now)
    }

    @Test func fullResponseCarriesEverything() {
        let result = plan(PlannerRequest())
        #expect(result.status == 200)
        #expect(result.body == .slice(offset: 0, count: 1000))
        #expect(result.header("Date") == HTTPDate.format(now))
        #expect(result.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(result.header("Content-Length") == "1000")
        #expect(result.header("Accept-Ranges") == "bytes")
        #expect(result.header("ETag") == "\"abc\"")
        #expect(result.header("Last-Modified") == HTTPDate.format(modified))
        #expect(result.header("Cache-Control") == "public, max-age=60")
        #expect(result.header("Vary") == "Accept-Language")
        #expect(result.header("Set-Cookie") == "s=1")
    }

    @Test func headHasTheSameHeadersAndNoBody() {
        let get = plan(PlannerRequest())
        let head = plan(PlannerRequest(isHead: true))
        #expect(head.status == 200)
        #expect(head.body == .none)
        #expect(head.headers == get.headers)
    }

    @Test func validatorModes() {
        let weak = plan(PlannerRequest(), rule: OriginRule(etag: .weak))
        #expect(weak.header("ETag") == "W/\"abc\"")
        let none = plan(PlannerRequest(), rule: OriginRule(etag: .none, lastModified: false))
        #expect(none.header("ETag") == nil)
        #expect(none.header("Last-Modified") == nil)
        #expect(none.header("Cache-Control") == nil)
    }

    @Test func ruleMayOverrideContentType() {
        let overriding = OriginRule(headers: [HeaderField(name: "Content-Type", value: "text/x-demo")])
        let result = plan(PlannerRequest(), rule: overriding)
        #expect(result.headers.filter { $0.name.lowercased() == "content-type" }.map(\.value) == ["text/x-demo"])
    }

    @Test func ifNoneMatchGives304WithCacheUpdateFields() {
        let result = plan(PlannerRequest(conditions: ConditionalRequest(ifNoneMatch: "\"zzz\", W/\"abc\"")))
        #expect(result.status == 304)
        #expect(result.body == .none)
        #expect(result.header("ETag") == "\"abc\"")
        #expect(result.header("Cache-Control") == "public, max-age=60")
        #expect(result.header("Vary") == "Accept-Language")
        #expect(result.header("Date") == HTTPDate.format(now))
        #expect(result.header("Set-Cookie") == nil)
        #expect(result.header("Content-Length") == nil)
        #expect(result.header("Last-Modified") == nil)  // the ETag already identifies the representation
    }

    @Test func ifModifiedSinceGives304() {
        let same = plan(PlannerRequest(conditions: ConditionalRequest(ifModifiedSince: Substring(HTTPDate.format(modified)))))
        #expect(same.status == 304)
        let earlier = plan(PlannerRequest(conditions: ConditionalRequest(ifModifiedSince: Substring(HTTPDate.format(modified - 1)))))
        #expect(earlier.status == 200)
        // Without an ETag, the 304 carries Last-Modified.
        let noTag = plan(PlannerRequest(conditions: ConditionalRequest(ifModifiedSince: Substring(HTTPDate.format(now)))),
                         rule: OriginRule(etag: .none))
        #expect(noTag.status == 304)
        #expect(noTag.header("Last-Modified") == HTTPDate.format(modified))
    }

    @Test func failedPreconditionsGive412() {
        let ifMatch = plan(PlannerRequest(conditions: ConditionalRequest(ifMatch: "\"other\"")))
        #expect(ifMatch.status == 412)
        #expect(ifMatch.header("ETag") == nil)
        let unmodified = plan(PlannerRequest(conditions: ConditionalRequest(ifUnmodifiedSince: Substring(HTTPDate.format(modified - 10)))))
        #expect(unmodified.status == 412)
        let passes = plan(PlannerRequest(conditions: ConditionalRequest(ifMatch: "\"abc\"")))
        #expect(passes.status == 200)
    }

    @Test func singleRangeGives206() {
        let result = plan(PlannerRequest(range: "bytes=10-19"))
        #expect(result.status == 206)
        #expect(result.body == .slice(offset: 10, count: 10))
        #expect(result.header("Content-Range") == "bytes 10-19/1000")
        #expect(result.header("Content-Length") == "10")
        #expect(result.header("ETag") == "\"abc\"")
        let suffix = plan(PlannerRequest(range: "bytes=-5"))
        #expect(suffix.body == .slice(offset: 995, count: 5))
        #expect(suffix.header("Content-Range") == "bytes 995-999/1000")
    }

    @Test func unsatisfiableRangeGives416() {
        let result = plan(PlannerRequest(range: "bytes=5000-"))
        #expect(result.status == 416)
        #expect(result.header("Content-Range") == "bytes */1000")
    }

    @Test func multipleOrInvalidRangesGiveTheWhole() {
        #expect(plan(PlannerRequest(range: "bytes=0-1,5-6")).status == 200)
        #expect(plan(PlannerRequest(range: "items=0-1")).status == 200)
        #expect(plan(PlannerRequest(isHead: true, range: "bytes=0-1")).status == 200)
    }

    @Test func ifRangeDecidesBetweenPartAndWhole() {
        let matching = plan(PlannerRequest(conditions: ConditionalRequest(ifRange: "\"abc\""), range: "bytes=0-9"))
        #expect(matching.status == 206)
        let stale = plan(PlannerRequest(conditions: ConditionalRequest(ifRange: "\"old\""), range: "bytes=0-9"))
        #expect(stale.status == 200)
        #expect(stale.body == .slice(offset: 0, count: 1000))
        let date = plan(PlannerRequest(conditions: ConditionalRequest(ifRange: Substring(HTTPDate.format(modified))),
                                       range: "bytes=0-9"))
        #expect(date.status == 206)
        let weak = plan(PlannerRequest(conditions: ConditionalRequest(ifRange: "W/\"abc\""), range: "bytes=0-9"),
                        rule: OriginRule(etag: .weak))
        #expect(weak.status == 200)  // weak tags never satisfy If-Range
    }

    @Test func errorPlans() {
        let notFound = ResponsePlanner.errorPlan(status: 404, now: now, isHead: false)
        #expect(notFound.body == .text("404 Not Found\n"))
        #expect(notFound.header("Content-Length") == "14")
        let head = ResponsePlanner.errorPlan(status: 404, now: now, isHead: true)
        #expect(head.body == .none)
        #expect(head.header("Content-Length") == "14")
    }

    @Test func seeds() {
        #expect(ResponsePlanner.fileSeed(size: 255, modifiedNanoseconds: 4096) == "ff-1000")
        #expect(ResponsePlanner.contentSeed("a".utf8) == "af63dc4c8601ec8c")
        #expect(ResponsePlanner.contentSeed("".utf8) == "cbf29ce484222325")
    }
}
