import Crypto

/// The dashboard's login cookie: `<expiry>.<hex HMAC-SHA256(expiry)>` under a key derived from the token.
///
/// A browser cannot send a bearer header when it loads a page, so `GET /dashboard?token=T` checks T once and
/// swaps it for this cookie (and a redirect that takes the token out of the address bar and history). The
/// cookie is HttpOnly (page scripts cannot read it), SameSite=Strict (other sites cannot make the browser send
/// it) and scoped to `/dashboard`, the only paths the page calls; it expires, and rotating the token revokes it.
struct DashboardSession {
    static let cookieName = "edge_admin_session"
    static let path = "/dashboard"
    static let lifetime: Double = 12 * 3600

    let token: AdminToken

    func issue(now: Double) -> String {
        let expiry = String(Int64(now + Self.lifetime))
        return expiry + "." + Self.hex(mac(expiry))
    }

    func isValid(_ value: Substring, now: Double) -> Bool {
        guard let dot = value.firstIndex(of: "."),
              let expiry = Int64(value[..<dot]), Double(expiry) > now else { return false }
        let presented = Array(value[value.index(after: dot)...].utf8)
        let expected = Array(Self.hex(mac(String(value[..<dot]))).utf8)
        return AdminToken.constantTimeEqual(expected, presented)
    }

    func setCookieHeader(now: Double) -> String {
        "\(Self.cookieName)=\(issue(now: now)); Path=\(Self.path); Max-Age=\(Int(Self.lifetime)); HttpOnly; "
            + "SameSite=Strict"
    }

    /// The session cookie's value from a `Cookie` header, if present.
    static func value(inCookieHeader header: String) -> Substring? {
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop { $0 == " " }
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            if trimmed[..<equals] == Substring(cookieName) { return trimmed[trimmed.index(after: equals)...] }
        }
        return nil
    }

    private func mac(_ text: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: token.sessionKey))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
