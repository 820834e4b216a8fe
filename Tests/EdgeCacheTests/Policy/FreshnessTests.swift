import Foundation
@testable import EdgeCache
import NIOHTTP1
import Testing

/// An IMF-fixdate with its comma taken out: a near miss that is not an HTTP-date.
private func withoutComma(_ date: String) -> String { date.replacingOccurrences(of: ",", with: "") }

@Suite("Freshness lifetime (RFC 9111 §4.2.1, §4.2.2, RFC 9213)")
struct FreshnessLifetimeTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let fields: [(String, String)]
        var status = 200
        var honourCDN = true
        let lifetime: Double
        var source: Freshness.Source? = nil
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "max-age", fields: [("Cache-Control", "max-age=60")], lifetime: 60, source: .maxAge),
        Row(name: "s-maxage wins over max-age", fields: [("Cache-Control", "max-age=60, s-maxage=30")],
            lifetime: 30, source: .sMaxAge),
        Row(name: "s-maxage wins even when longer", fields: [("Cache-Control", "s-maxage=600, max-age=60")],
            lifetime: 600, source: .sMaxAge),
        Row(name: "max-age wins over Expires",
            fields: [("Cache-Control", "max-age=60"), ("Date", httpDate(t0)), ("Expires", httpDate(t0 + 3600))],
            lifetime: 60, source: .maxAge),
        Row(name: "Expires minus Date", fields: [("Date", httpDate(t0)), ("Expires", httpDate(t0 + 100))],
            lifetime: 100, source: .expires),
        Row(name: "Expires minus receipt time without Date", fields: [("Expires", httpDate(t0 + 100))],
            lifetime: 100, source: .expires),
        Row(name: "Expires uses the origin's Date, not our clock (skew)",
            fields: [("Date", httpDate(t0 - 50)), ("Expires", httpDate(t0 + 100))], lifetime: 150, source: .expires),
        Row(name: "Expires: 0 is already expired", fields: [("Date", httpDate(t0)), ("Expires", "0")],
            lifetime: 0, source: .expires),
        Row(name: "Expires in the past", fields: [("Date", httpDate(t0)), ("Expires", httpDate(t0 - 10))],
            lifetime: 0, source: .expires),
        Row(name: "conflicting Expires lines are stale",
            fields: [("Date", httpDate(t0)), ("Expires", httpDate(t0 + 10)), ("Expires", httpDate(t0 + 20))],
            lifetime: 0, source: .expires),
        // RFC 9111 §5.3: an Expires that is not an HTTP-date is in the past, however near the miss and however far
        // ahead the date it almost names.
        Row(name: "Expires without the comma is already expired",
            fields: [("Date", httpDate(t0)), ("Expires", withoutComma(httpDate(t0 + 86_400)))],
            lifetime: 0, source: .expires),
        Row(name: "Expires with a doubled space is already expired",
            fields: [("Date", httpDate(t0)), ("Expires", httpDate(t0 + 86_400).replacingOccurrences(of: " ", with: "  "))],
            lifetime: 0, source: .expires),
        Row(name: "Expires with a lowercase zone is already expired",
            fields: [("Date", httpDate(t0)), ("Expires", httpDate(t0 + 86_400).replacingOccurrences(of: "GMT", with: "gmt"))],
            lifetime: 0, source: .expires),
        Row(name: "Expires with dashes in an IMF-fixdate is already expired",
            fields: [("Date", httpDate(t0)), ("Expires", "Sun, 06-Nov-2050 08:49:37 GMT")], lifetime: 0, source: .expires),
        Row(name: "Expires with a one-digit hour is already expired",
            fields: [("Date", httpDate(t0)), ("Expires", "Sun, 06 Nov 2050 8:49:37 GMT")], lifetime: 0, source: .expires),
        Row(name: "Expires in asctime form counts",
            fields: [("Date", "Tue Nov 14 22:13:20 2023"), ("Expires", "Tue Nov 14 22:23:20 2023")],
            lifetime: 600, source: .expires),
        Row(name: "Expires in rfc850 form counts",
            fields: [("Date", httpDate(t0)), ("Expires", "Tuesday, 14-Nov-23 22:23:20 GMT")],
            lifetime: 600, source: .expires),
        Row(name: "an invalid Date is absent: Expires minus receipt time",
            fields: [("Date", withoutComma(httpDate(t0 - 500))), ("Expires", httpDate(t0 + 100))],
            lifetime: 100, source: .expires),
        Row(name: "an invalid Last-Modified gives no heuristic",
            fields: [("Date", httpDate(t0)), ("Last-Modified", withoutComma(httpDate(t0 - 1000)))], lifetime: 0,
            source: .heuristic),
        Row(name: "invalid max-age is stale even with a future Expires",
            fields: [("Cache-Control", "max-age=abc"), ("Date", httpDate(t0)), ("Expires", httpDate(t0 + 100))],
            lifetime: 0, source: .maxAge),
        Row(name: "quoted max-age", fields: [("Cache-Control", "max-age=\"120\"")], lifetime: 120),
        Row(name: "duplicate max-age keeps the smaller", fields: [("Cache-Control", "max-age=60, max-age=30")],
            lifetime: 30),
        Row(name: "huge max-age is capped at 2^31", fields: [("Cache-Control", "max-age=99999999999999999999")],
            lifetime: 2_147_483_648),
        Row(name: "upper-case directive", fields: [("Cache-Control", "MAX-AGE=45")], lifetime: 45),
        Row(name: "directives over two lines", fields: [("Cache-Control", "public"), ("Cache-Control", "max-age=20")],
            lifetime: 20),
        Row(name: "heuristic 10% of Date - Last-Modified",
            fields: [("Date", httpDate(t0)), ("Last-Modified", httpDate(t0 - 1000))], lifetime: 100,
            source: .heuristic),
        Row(name: "heuristic without Date uses receipt time", fields: [("Last-Modified", httpDate(t0 - 5000))],
            lifetime: 500, source: .heuristic),
        Row(name: "heuristic capped at a day",
            fields: [("Date", httpDate(t0)), ("Last-Modified", httpDate(t0 - 10 * 365 * 86_400))], lifetime: 86_400),
        Row(name: "heuristic for 404",
            fields: [("Date", httpDate(t0)), ("Last-Modified", httpDate(t0 - 600))], status: 404, lifetime: 60),
        Row(name: "heuristic for 301",
            fields: [("Date", httpDate(t0)), ("Last-Modified", httpDate(t0 - 600))], status: 301, lifetime: 60),
        Row(name: "no heuristic for 302",
            fields: [("Date", httpDate(t0)), ("Last-Modified", httpDate(t0 - 600))], status: 302, lifetime: 0,
            source: Freshness.Source.none),
        Row(name: "no heuristic for 500",
            fields: [("Date", httpDate(t0)), ("Last-Modified", httpDate(t0 - 600))], status: 500, lifetime: 0),
        Row(name: "public makes 302 heuristically cacheable",
            fields: [("Cache-Control", "public"), ("Date", httpDate(t0)), ("Last-Modified", httpDate(t0 - 600))],
            status: 302, lifetime: 60, source: .heuristic),
        Row(name: "no Last-Modified, no heuristic lifetime", fields: [("Date", httpDate(t0))], lifetime: 0,
            source: .heuristic),
        Row(name: "Last-Modified after Date", fields: [("Date", httpDate(t0)), ("Last-Modified", httpDate(t0 + 50))],
            lifetime: 0),
        Row(name: "invalid Last-Modified", fields: [("Date", httpDate(t0)), ("Last-Modified", "yesterday")],
            lifetime: 0),
        Row(name: "no-cache does not change the lifetime", fields: [("Cache-Control", "no-cache, max-age=60")],
            lifetime: 60),
        Row(name: "CDN-Cache-Control replaces Cache-Control",
            fields: [("Cache-Control", "max-age=10"), ("CDN-Cache-Control", "max-age=600")], lifetime: 600,
            source: .maxAge),
        Row(name: "CDN-Cache-Control ignored when not honoured",
            fields: [("Cache-Control", "max-age=10"), ("CDN-Cache-Control", "max-age=600")], honourCDN: false,
            lifetime: 10),
        Row(name: "CDN-Cache-Control without lifetime ignores Cache-Control and Expires",
            fields: [("Cache-Control", "max-age=60"), ("CDN-Cache-Control", "public"), ("Date", httpDate(t0)),
                     ("Expires", httpDate(t0 + 100))],
            lifetime: 0, source: .heuristic),
        Row(name: "CDN-Cache-Control s-maxage", fields: [("CDN-Cache-Control", "s-maxage=5, max-age=50")],
            lifetime: 5),
        Row(name: "empty CDN-Cache-Control falls back to Cache-Control",
            fields: [("Cache-Control", "max-age=60"), ("CDN-Cache-Control", "")], lifetime: 60),
    ]

    @Test(arguments: rows)
    func lifetime(row: Row) {
        let fields = headers(row.fields)
        let seconds = Freshness.lifetime(response: fields, status: row.status, responseTime: t0,
                                         heuristic: HeuristicPolicy(), honourCDNCacheControl: row.honourCDN)
        #expect(seconds == row.lifetime)
        if let source = row.source {
            let directives = ResponseDirectives(
                response: fields, targetedFields: row.honourCDN ? ["cdn-cache-control"] : [])
            let detailed = Freshness.lifetime(response: fields, directives: directives, status: row.status,
                                              responseTime: t0, heuristic: HeuristicPolicy())
            #expect(detailed.source == source)
            #expect(detailed.seconds == row.lifetime)
        }
    }

    @Test func heuristicPolicySettings() {
        let fields = headers(("Date", httpDate(t0)), ("Last-Modified", httpDate(t0 - 1000)))
        let quarter = HeuristicPolicy(fraction: 0.25, maxSeconds: 200)
        #expect(Freshness.lifetime(response: fields, status: 200, responseTime: t0, heuristic: quarter) == 200)
        let off = HeuristicPolicy(fraction: 0, maxSeconds: 86_400)
        #expect(Freshness.lifetime(response: fields, status: 200, responseTime: t0, heuristic: off) == 0)
        let fallback = HeuristicPolicy(withoutLastModified: 30)
        #expect(Freshness.lifetime(response: headers(("Date", httpDate(t0))), status: 200, responseTime: t0,
                                   heuristic: fallback) == 30)
        // The fallback never applies where explicit freshness exists or the status is not heuristic.
        #expect(Freshness.lifetime(response: headers(("Date", httpDate(t0))), status: 500, responseTime: t0,
                                   heuristic: fallback) == 0)
    }
}

@Suite("Current age (RFC 9111 §4.2.3)")
struct CurrentAgeTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let fields: [(String, String)]
        let requestTime: Double
        let responseTime: Double
        let now: Double
        let age: Double
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "resident time only", fields: [("Date", httpDate(t0))], requestTime: t0, responseTime: t0,
            now: t0 + 10, age: 10),
        Row(name: "no Date: apparent age is zero", fields: [], requestTime: t0, responseTime: t0, now: t0 + 7, age: 7),
        Row(name: "Age plus response delay", fields: [("Date", httpDate(t0 + 2)), ("Age", "30")], requestTime: t0,
            responseTime: t0 + 2, now: t0 + 2, age: 32),
        Row(name: "Age plus delay plus resident time", fields: [("Date", httpDate(t0 + 2)), ("Age", "30")],
            requestTime: t0, responseTime: t0 + 2, now: t0 + 12, age: 42),
        Row(name: "Date behind our clock: apparent age wins", fields: [("Date", httpDate(t0 - 100))],
            requestTime: t0, responseTime: t0, now: t0 + 5, age: 105),
        Row(name: "apparent age vs Age: the larger wins (Age larger)",
            fields: [("Date", httpDate(t0 - 10)), ("Age", "60")], requestTime: t0, responseTime: t0, now: t0, age: 60),
        Row(name: "apparent age vs Age: the larger wins (apparent larger)",
            fields: [("Date", httpDate(t0 - 90)), ("Age", "60")], requestTime: t0 - 1, responseTime: t0, now: t0,
            age: 90),
        Row(name: "an invalid Date does not skew age (treated as absent)",
            fields: [("Date", withoutComma(httpDate(t0 - 100_000)))], requestTime: t0, responseTime: t0, now: t0 + 5,
            age: 5),
        Row(name: "a Date with a lowercase month does not skew age",
            fields: [("Date", "Tue, 14 nov 2023 20:00:00 GMT")], requestTime: t0, responseTime: t0, now: t0, age: 0),
        Row(name: "Date ahead of our clock is not negative", fields: [("Date", httpDate(t0 + 50))],
            requestTime: t0 - 1, responseTime: t0, now: t0, age: 1),
        Row(name: "Age list uses the first member", fields: [("Age", "10, 20")], requestTime: t0, responseTime: t0,
            now: t0, age: 10),
        Row(name: "invalid Age is ignored", fields: [("Age", "abc")], requestTime: t0, responseTime: t0, now: t0,
            age: 0),
        Row(name: "negative Age is ignored", fields: [("Age", "-5")], requestTime: t0, responseTime: t0, now: t0,
            age: 0),
        Row(name: "clock stepping back does not reduce age", fields: [("Age", "5")], requestTime: t0,
            responseTime: t0, now: t0 - 100, age: 5),
        Row(name: "huge Age is capped at 2^31", fields: [("Age", "999999999999999999999")], requestTime: t0,
            responseTime: t0, now: t0, age: 2_147_483_648),
    ]

    @Test(arguments: rows)
    func currentAge(row: Row) {
        let age = Freshness.currentAge(responseHeaders: headers(row.fields), requestTime: row.requestTime,
                                       responseTime: row.responseTime, now: row.now)
        #expect(age == row.age)
    }
}
