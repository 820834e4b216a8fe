import EdgeCache
import EdgeTLS
import NIOHTTP1

/// What the HTTPS settings of each `[[tls.certificates]]` entry ask of requests for its names: a plain-HTTP
/// request is redirected to HTTPS (`redirect_http`), an HTTPS response carries `Strict-Transport-Security`
/// (`hsts`). Pure: a host in, a redirect or a header value out; the engine applies it (Proxy/HTTPSHosts.swift).
///
/// Names match as SNI does (`SNIMatcher.match`: exact names before `*.` wildcards, case-insensitive, a trailing
/// dot and the Host's port ignored), but with no default: a name no entry lists gets neither setting. The
/// redirect is never open: it is only for configured names, and the Location is built from the matched host
/// (letters, digits, dots and dashes only), the node's own HTTPS port and the request's already validated
/// target.
public struct HTTPSHostPolicy: Sendable, Equatable {
    /// One entry's names and settings.
    public struct Entry: Sendable, Equatable {
        public var names: [String]
        public var redirectHTTP: Bool
        /// The `Strict-Transport-Security` value, validated by the configuration reader.
        public var strictTransportSecurity: String?

        public init(names: [String], redirectHTTP: Bool = false, strictTransportSecurity: String? = nil) {
            self.names = names
            self.redirectHTTP = redirectHTTP
            self.strictTransportSecurity = strictTransportSecurity
        }
    }

    /// A plain request's answer: `301` for GET and HEAD, `308` for other methods.
    public struct Redirect: Sendable, Equatable {
        public var status: HTTPResponseStatus
        public var location: String

        public init(status: HTTPResponseStatus, location: String) {
            self.status = status
            self.location = location
        }
    }

    public let entries: [Entry]
    private let matcher: SNIMatcher
    /// Whether any entry redirects, or sets HSTS: when not, the request path skips the lookups.
    public let redirects: Bool
    public let setsStrictTransportSecurity: Bool

    public init(entries: [Entry] = []) {
        self.entries = entries
        matcher = SNIMatcher(entries: entries.map(\.names), defaultIndex: 0)
        redirects = entries.contains(where: \.redirectHTTP)
        setsStrictTransportSecurity = entries.contains { $0.strictTransportSecurity != nil }
    }

    /// Where a plain-HTTP request for `host` with `target` goes, or `nil` when its name does not redirect.
    /// - Parameters:
    ///   - host: the request's host (the Host field, or the absolute target's authority), port allowed.
    ///   - target: the origin-form target as received (`/path?query`), already validated by the request filter.
    ///   - httpsPort: the node's HTTPS port, left out of the Location when it is 443.
    public func redirect(method: HTTPMethod, host: String?, target: String, httpsPort: Int) -> Redirect? {
        guard redirects, target.hasPrefix("/"), httpsPort > 0, let name = Self.dnsName(host),
              let entry = entry(for: name), entry.redirectHTTP else { return nil }
        let authority = httpsPort == 443 ? name : "\(name):\(httpsPort)"
        // 301 is what every client (and every nginx config) knows for GET and HEAD; for other methods 308, as
        // 301 lets a client turn a POST into a GET (RFC 9110 §15.4.2) and lose the body.
        let status: HTTPResponseStatus = method == .GET || method == .HEAD ? .movedPermanently : .permanentRedirect
        return Redirect(status: status, location: "https://\(authority)\(target)")
    }

    /// The `Strict-Transport-Security` value for an HTTPS response to a request for `host`, if its name sets one.
    /// Never for plain HTTP: a browser ignores the header there (RFC 6797 §7.2), and the caller never asks.
    public func strictTransportSecurity(host: String?) -> String? {
        guard setsStrictTransportSecurity, let name = Self.dnsName(host) else { return nil }
        return entry(for: name)?.strictTransportSecurity
    }

    private func entry(for name: String) -> Entry? {
        matcher.match(name).map { entries[$0] }
    }

    /// The host without its port, lower-cased and without a trailing dot, if it is a DNS name (letters, digits,
    /// dashes and dots): IP literals and anything else can never match a configured name, nor reach a Location.
    static func dnsName(_ host: String?) -> String? {
        guard let host else { return nil }
        var name = CacheKey.hostWithoutPort(host).lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty, name.utf8.allSatisfy({ byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }) else { return nil }
        return name
    }
}
