@testable import EdgeCache
import NIOHTTP1
import Testing

/// CDN-Cache-Control is an RFC 8941 Dictionary (RFC 9213 §2.1): parsed strictly, and ignored as a whole (so
/// Cache-Control applies) when it fails to parse or gives a known directive the wrong type.
@Suite("CDN-Cache-Control as a Structured Field Dictionary (RFC 9213, RFC 8941)")
struct TargetedCacheControlTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let value: String
        var maxAge: Int? = nil
        var sMaxAge: Int? = nil
        var noStore = false
        var isPrivate = false
        var privateFields: [String] = []
        var noCache = false
        var noCacheFields: [String] = []
        var isPublic = false
        var mustRevalidate = false
        var staleWhileRevalidate: Int? = nil
        var staleIfError: Int? = nil
        var testDescription: String { value }
    }

    static let valid: [Valid] = [
        Valid(value: "max-age=600", maxAge: 600),
        Valid(value: "max-age=600, s-maxage=60", maxAge: 600, sMaxAge: 60),
        Valid(value: "no-store", noStore: true),
        Valid(value: "private", isPrivate: true),
        Valid(value: "private=\"set-cookie\"", privateFields: ["set-cookie"]),
        Valid(value: "no-cache", noCache: true),
        Valid(value: "no-cache=\"Set-Cookie, X-Other\"", noCacheFields: ["set-cookie", "x-other"]),
        Valid(value: "public, must-revalidate", isPublic: true, mustRevalidate: true),
        Valid(value: "max-age=60, stale-while-revalidate=30, stale-if-error=600", maxAge: 60,
              staleWhileRevalidate: 30, staleIfError: 600),
        // Leading and trailing spaces are not part of the value; OWS after a comma is allowed.
        Valid(value: "  max-age=60 ,   public  ", maxAge: 60, isPublic: true),
        // Parameters on directives are ignored (RFC 9213 §2.1).
        Valid(value: "max-age=60;foo=bar, no-store;x", maxAge: 60, noStore: true),
        Valid(value: "max-age=600; public", maxAge: 600),  // "public" is a parameter of max-age here, not a directive
        // Unknown directives are ignored whatever their type.
        Valid(value: "max-age=60, x-ext=\"a\", y-ext=1.5, z-ext=(a b), w-ext=:aGk=:", maxAge: 60),
        // A duplicated key keeps the last value (RFC 8941 §4.2.2).
        Valid(value: "max-age=60, max-age=30", maxAge: 30),
        // Integers past 2^31 are capped as delta-seconds are (RFC 9111 §1.2.2).
        Valid(value: "max-age=999999999999999", maxAge: 2_147_483_648),
        // Request directives mean nothing in a response field: ignored like unknown ones.
        Valid(value: "max-age=60, min-fresh=\"x\"", maxAge: 60),
    ]

    @Test(arguments: valid)
    func parsesValidDictionaries(_ row: Valid) throws {
        let control = try #require(TargetedCacheControl.parse(lines: [row.value]))
        #expect(control.maxAge == row.maxAge)
        #expect(control.sMaxAge == row.sMaxAge)
        #expect(control.noStore == row.noStore)
        #expect(control.isPrivate == row.isPrivate)
        #expect(control.privateFields == row.privateFields)
        #expect(control.noCache == row.noCache)
        #expect(control.noCacheFields == row.noCacheFields)
        #expect(control.isPublic == row.isPublic)
        #expect(control.mustRevalidate == row.mustRevalidate)
        #expect(control.staleWhileRevalidate == row.staleWhileRevalidate)
        #expect(control.staleIfError == row.staleIfError)
        #expect(!control.isEmpty)
    }

    @Test("parse failures and wrong types make the whole field ignored",
          arguments: [
              // Not a Dictionary.
              "max-age = 600",               // spaces around "="
              "max-age= 600",
              "max-age =600",
              "MAX-AGE=600",                 // keys are lowercase
              "Max-Age=600",
              "max-age=600,",                // trailing comma
              ",max-age=600",
              "max-age=600,,public",
              "max-age=600 public",          // members need a comma
              "max-age=\"600",               // unterminated string
              "max-age=1234567890123456",    // more than 15 digits
              "max-age=600, 1x=2",           // a key cannot start with a digit
              "max-age=600, x=\u{E9}",       // not ASCII
              // Wrong types for known directives.
              "max-age=\"600\"",             // a String where an Integer belongs
              "max-age=six",                 // a Token
              "max-age=60.0",                // a Decimal
              "max-age=-1",                  // a negative Integer
              "max-age=?1",                  // a Boolean
              "max-age",                     // bare (Boolean true)
              "max-age=(60)",                // an inner list
              "max-age=:NjA=:",              // a byte sequence
              "s-maxage=\"60\", max-age=60",
              "stale-while-revalidate=1.5, max-age=60",
              "stale-if-error=x, max-age=60",
              "max-age=60, no-store=?0",     // Boolean false is not the bare directive
              "max-age=60, no-store=1",
              "max-age=60, public=\"yes\"",
              "max-age=60, private=set-cookie",  // the field-name list is a String, not a Token
              "max-age=60, no-cache=(a b)",
          ])
    func rejects(_ value: String) {
        #expect(TargetedCacheControl.parse(lines: [value]) == nil)
    }

    @Test func emptyOrAbsentFieldIsIgnored() {
        #expect(TargetedCacheControl.parse(lines: []) == nil)
        #expect(TargetedCacheControl.parse(lines: [""]) == nil)
        #expect(TargetedCacheControl.parse(lines: ["   "]) == nil)
    }

    /// RFC 8941 §4.2: several field lines are one value joined by commas; one bad line fails them all.
    @Test func fieldLinesAreCombined() throws {
        let control = try #require(TargetedCacheControl.parse(lines: ["max-age=60", "public"]))
        #expect(control.maxAge == 60)
        #expect(control.isPublic)
        #expect(TargetedCacheControl.parse(lines: ["max-age=60", "public = 1"]) == nil)
    }

    @Test func anInvalidTargetedFieldLeavesCacheControlInCharge() {
        let invalid = headers(("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age = 600"))
        let fallback = ResponseDirectives(response: invalid, targetedFields: ["cdn-cache-control"])
        #expect(fallback.targetedField == nil)
        #expect(fallback.control.noStore)
        #expect(fallback.control.maxAge == nil)
        #expect(fallback.honoursExpires)

        let valid = headers(("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=600"))
        let targeted = ResponseDirectives(response: valid, targetedFields: ["cdn-cache-control"])
        #expect(targeted.targetedField == "cdn-cache-control")
        #expect(targeted.control.maxAge == 600)
        #expect(!targeted.control.noStore)
        #expect(!targeted.honoursExpires)
    }

    @Test func wrongTypeFallsBackToCacheControlAndExpiresForFreshness() {
        let fields = headers(("Date", httpDate(t0)), ("Expires", httpDate(t0 + 100)),
                             ("CDN-Cache-Control", "max-age=\"600\""))
        #expect(Freshness.lifetime(response: fields, status: 200, responseTime: t0) == 100)
        let withCacheControl = headers(("Cache-Control", "max-age=30"), ("CDN-Cache-Control", "max-age=60.0"))
        #expect(Freshness.lifetime(response: withCacheControl, status: 200, responseTime: t0) == 30)
    }
}
