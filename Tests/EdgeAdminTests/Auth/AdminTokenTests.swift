@testable import EdgeAdmin
import Testing

@Suite struct AdminTokenTests {
    @Test func constantTimeEqualComparesEveryByte() {
        #expect(AdminToken.constantTimeEqual([], []))
        #expect(AdminToken.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!AdminToken.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!AdminToken.constantTimeEqual([9, 2, 3], [1, 2, 3]))
        #expect(!AdminToken.constantTimeEqual([1, 2, 3], [1, 2]))
        // Differences in every bit position are caught, not just some.
        for bit in 0..<8 {
            #expect(!AdminToken.constantTimeEqual([0, 0], [0, UInt8(1) << bit]))
        }
    }

    @Test func matchesOnlyTheExactToken() throws {
        let token = try #require(AdminToken("correct-horse-battery"))
        #expect(token.matches("correct-horse-battery"))
        #expect(!token.matches("correct-horse-batter"))
        #expect(!token.matches("correct-horse-battery "))
        #expect(!token.matches("Correct-horse-battery"))
        #expect(!token.matches(""))
        #expect(!token.matches(String(repeating: "x", count: 10_000)))
    }

    @Test func shortTokensAreRefused() {
        #expect(AdminToken("") == nil)
        #expect(AdminToken("fifteen-chars-x") == nil)
        #expect(AdminToken("sixteen-chars-xx") != nil)
    }

    @Test func dashboardSessionsExpireAndAreBoundToTheToken() throws {
        let token = try #require(AdminToken("correct-horse-battery"))
        let other = try #require(AdminToken("another-token-entirely"))
        let session = DashboardSession(token: token)
        let value = session.issue(now: 1000)
        #expect(session.isValid(Substring(value), now: 1000))
        #expect(session.isValid(Substring(value), now: 1000 + DashboardSession.lifetime - 1))
        #expect(!session.isValid(Substring(value), now: 1000 + DashboardSession.lifetime + 1))
        #expect(!DashboardSession(token: other).isValid(Substring(value), now: 1000))
        // A forged expiry breaks the MAC.
        let forged = "99999999999" + value.drop { $0 != "." }
        #expect(!session.isValid(Substring(forged), now: 1000))
        for garbage in ["", ".", "abc", "123.", ".abc", "1e9.00"] {
            #expect(!session.isValid(Substring(garbage), now: 0))
        }
        // The cookie never carries the token.
        #expect(!session.setCookieHeader(now: 1000).contains("correct-horse-battery"))
    }

    @Test func cookieHeaderParsing() {
        #expect(DashboardSession.value(inCookieHeader: "a=1; edge_admin_session=xyz; b=2") == "xyz")
        #expect(DashboardSession.value(inCookieHeader: "edge_admin_session=") == "")
        #expect(DashboardSession.value(inCookieHeader: "xedge_admin_session=1") == nil)
        #expect(DashboardSession.value(inCookieHeader: "") == nil)
    }
}
