import Crypto

/// The primary cache key (RFC 9111 §2): scheme, normalised authority and normalised target URI.
///
/// Normalisation (RFC 3986 §6.2.2) lets equivalent spellings of a URI share one entry — `EXAMPLE.com:80/a/./b`
/// and `example.com/a/b` are the same resource — without merging resources an origin could tell apart: the
/// query is kept byte for byte, and only percent-encodings of unreserved characters are decoded.
///
/// Targets are limited to visible ASCII, so a key can never contain a newline (the storage layer joins primary
/// and variant keys with "\n") or anything that would need escaping in a file name or log line.
public struct CacheKey: Hashable, Sendable, CustomStringConvertible {
    /// `scheme://host[:port]/path[?query]`, e.g. `http://example.com/a/b?x=1`.
    public let primary: String
    /// Lowercased scheme.
    public let scheme: String
    /// Lowercased host with a non-default port, e.g. `example.com` or `example.com:8080`.
    public let host: String
    /// Normalised path, always starting with "/".
    public let path: String
    /// The query exactly as sent (without "?"); `""` for a bare "?", `nil` when there was none.
    public let query: String?

    /// - Parameters:
    ///   - scheme: the scheme the request arrived on (`http` / `https`).
    ///   - host: the Host header (or configured host), with an optional port.
    ///   - target: the request target: origin-form (`/path?query`) or absolute-form (`http://host/path`), whose
    ///     scheme and authority then take precedence over `scheme` and `host` (RFC 9112 §3.2.2).
    /// - Returns: `nil` for asterisk- or authority-form targets, userinfo, fragments, invalid percent-encoding,
    ///   characters outside visible ASCII, or an unusable host.
    public init?(scheme: String, host: String, target: String) {
        guard target.utf8.allSatisfy(URIText.isVisibleASCII), !target.contains("#") else { return nil }
        var scheme = scheme
        var authority = host
        var rest = Substring(target)
        if !target.hasPrefix("/") {
            guard let parts = URIText.splitAbsolute(rest) else { return nil }
            (scheme, authority, rest) = parts
        }
        guard let normalisedScheme = URIText.normaliseScheme(scheme),
              let normalisedHost = URIText.normaliseAuthority(authority, scheme: normalisedScheme) else { return nil }
        let rawPath: Substring
        let query: String?
        if let mark = rest.firstIndex(of: "?") {
            rawPath = rest[..<mark]
            query = String(rest[rest.index(after: mark)...])
        } else {
            rawPath = rest
            query = nil
        }
        guard let decoded = PathNormaliser.normalisePercentEncoding(rawPath) else { return nil }
        let path = PathNormaliser.removeDotSegments(decoded)
        self.scheme = normalisedScheme
        self.host = normalisedHost
        self.path = path.isEmpty ? "/" : path
        self.query = query
        self.primary = "\(normalisedScheme)://\(normalisedHost)\(self.path)" + (query.map { "?" + $0 } ?? "")
    }

    /// Hex SHA-256 of `primary`: a fixed-length, file-name-safe identity for the key.
    public var digest: String {
        let hash = SHA256.hash(data: Array(primary.utf8))
        return hash.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    public var description: String { primary }
}
