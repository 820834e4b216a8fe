@testable import EdgeCache
import NIOHTTP1
import Testing

@Suite("Cache-Control parsing (RFC 9111 §5.2)")
struct CacheControlTests {
    @Test func parsesResponseDirectives() {
        let control = CacheControl(value:
            "public, max-age=60, s-maxage=30, must-revalidate, proxy-revalidate, no-transform, immutable, "
            + "must-understand, stale-while-revalidate=10, stale-if-error=300")
        #expect(control.isPublic)
        #expect(control.maxAge == 60)
        #expect(control.sMaxAge == 30)
        #expect(control.mustRevalidate)
        #expect(control.proxyRevalidate)
        #expect(control.noTransform)
        #expect(control.immutable)
        #expect(control.mustUnderstand)
        #expect(control.staleWhileRevalidate == 10)
        #expect(control.staleIfError == 300)
        #expect(!control.noStore && !control.noCache && !control.isPrivate)
        #expect(!control.isEmpty)
    }

    @Test func parsesRequestDirectives() {
        let control = CacheControl(value: "no-cache, no-store, max-age=5, min-fresh=20, max-stale=30, only-if-cached")
        #expect(control.noCache)
        #expect(control.noStore)
        #expect(control.maxAge == 5)
        #expect(control.minFresh == 20)
        #expect(control.maxStale == .seconds(30))
        #expect(control.onlyIfCached)
    }

    @Test func maxStaleWithoutValueAcceptsAnyStaleness() {
        let control = CacheControl(value: "max-stale")
        #expect(control.maxStale == .any)
        #expect(control.maxStale?.permits(staleness: 1e9) == true)
        #expect(CacheControl.MaxStale.seconds(10).permits(staleness: 10))
        #expect(!CacheControl.MaxStale.seconds(10).permits(staleness: 10.5))
    }

    @Test func namesAreCaseInsensitiveAndWhitespaceTolerated() {
        let control = CacheControl(value: "  MAX-AGE = 45 ,\tNo-Cache ,PUBLIC ")
        #expect(control.maxAge == 45)
        #expect(control.noCache)
        #expect(control.isPublic)
    }

    @Test func readsEveryFieldLine() {
        let control = CacheControl(headers: headers(("Cache-Control", "public"), ("cache-control", "max-age=20")))
        #expect(control.isPublic)
        #expect(control.maxAge == 20)
    }

    @Test func readsANamedField() {
        let fields = headers(("Cache-Control", "max-age=10"), ("CDN-Cache-Control", "max-age=600"))
        #expect(CacheControl(headers: fields, field: "cdn-cache-control").maxAge == 600)
        #expect(CacheControl(headers: fields).maxAge == 10)
    }

    @Test func quotedArgumentsAreAccepted() {
        // §5.2: recipients accept the quoted form even where the token form is required.
        #expect(CacheControl(value: "max-age=\"120\"").maxAge == 120)
        #expect(CacheControl(value: "s-maxage=\"7\"").sMaxAge == 7)
    }

    @Test func qualifiedNoCacheKeepsCommasInsideQuotes() {
        let control = CacheControl(value: "no-cache=\"Set-Cookie, X-Token\", max-age=60")
        #expect(!control.noCache)
        #expect(control.noCacheFields == ["set-cookie", "x-token"])
        #expect(control.maxAge == 60)
    }

    @Test func qualifiedPrivateAcceptsTokenForm() {
        let control = CacheControl(value: "private=Set-Cookie")
        #expect(!control.isPrivate)
        #expect(control.privateFields == ["set-cookie"])
    }

    @Test func qualifiedAndUnqualifiedCombine() {
        let control = CacheControl(value: "private=\"X-A\", private, private=\"x-b, X-A\"")
        #expect(control.isPrivate)
        #expect(control.privateFields == ["x-a", "x-b"])
    }

    @Test func emptyQualifiedListReadsAsUnqualified() {
        #expect(CacheControl(value: "no-cache=\"\"").noCache)
        #expect(CacheControl(value: "private=\"\"").isPrivate)
    }

    @Test func escapedQuotesDoNotEndTheString() {
        let control = CacheControl(value: "ext=\"a\\\",b\", max-age=9")
        #expect(control.maxAge == 9)
    }

    struct InvalidRow: Sendable, CustomTestStringConvertible {
        let value: String
        let maxAge: Int?
        var testDescription: String { value }
    }

    /// §4.2.1: invalid freshness information is treated as stale (0); duplicates keep the most restrictive.
    @Test(arguments: [
        InvalidRow(value: "max-age=abc", maxAge: 0),
        InvalidRow(value: "max-age=-5", maxAge: 0),
        InvalidRow(value: "max-age=1.5", maxAge: 0),
        InvalidRow(value: "max-age", maxAge: 0),
        InvalidRow(value: "max-age=", maxAge: 0),
        InvalidRow(value: "max-age=60, max-age=30", maxAge: 30),
        InvalidRow(value: "max-age=30, max-age=60", maxAge: 30),
        InvalidRow(value: "max-age=60, max-age=oops", maxAge: 0),
        InvalidRow(value: "max-age=0007", maxAge: 7),
        InvalidRow(value: "max-age=99999999999999999999999", maxAge: 2_147_483_648),
        InvalidRow(value: "max-age=2147483649", maxAge: 2_147_483_648),
        InvalidRow(value: "max age=5", maxAge: nil),
        InvalidRow(value: "", maxAge: nil),
    ])
    func invalidAndDuplicateMaxAge(row: InvalidRow) {
        #expect(CacheControl(value: row.value).maxAge == row.maxAge)
    }

    @Test func invalidStaleWindowsAreZero() {
        let control = CacheControl(value: "stale-while-revalidate=x, stale-if-error")
        #expect(control.staleWhileRevalidate == 0)
        #expect(control.staleIfError == 0)
    }

    @Test func duplicateRequestLimitsKeepTheMostRestrictive() {
        let control = CacheControl(value: "min-fresh=10, min-fresh=30, max-stale=100, max-stale, max-stale=50")
        #expect(control.minFresh == 30)
        #expect(control.maxStale == .seconds(50))
    }

    @Test func invalidRequestLimitsAreIgnored() {
        let control = CacheControl(value: "min-fresh=soon, max-stale=-1")
        #expect(control.minFresh == nil)
        #expect(control.maxStale == nil)
    }

    @Test func unknownDirectivesAreIgnoredButCount() {
        let control = CacheControl(value: "community=\"UCI\", foo")
        // Equal to a value holding only some other unknown directive: nothing known was set.
        #expect(control == CacheControl(value: "other-extension"))
        #expect(control.maxAge == nil && !control.noCache && !control.isPrivate)
        #expect(!control.isEmpty)
        #expect(CacheControl(value: " , ,").isEmpty)
        #expect(CacheControl(headers: HTTPHeaders()).isEmpty)
    }
}
