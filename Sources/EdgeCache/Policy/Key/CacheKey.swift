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
        if let fast = Self.alreadyNormal(scheme: scheme, host: host, target: target) {
            self = fast
            return
        }
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

    private init(scheme: String, host: String, path: String, query: String?) {
        self.scheme = scheme
        self.host = host
        self.path = path
        self.query = query
        self.primary = "\(scheme)://\(host)\(path)" + (query.map { "?" + $0 } ?? "")
    }

    /// The common case in one pass over the bytes: an `http` request whose Host is already lower-case letters,
    /// digits, dots and dashes (with an optional non-default port) and whose path has nothing to normalise
    /// (no percent-escapes, no dot-segments). Such a key is its own normal form; anything else returns nil and
    /// takes the full path above. This runs for every request, so it avoids Foundation string searching.
    private static func alreadyNormal(scheme: String, host: String, target: String) -> CacheKey? {
        guard scheme == "http" else { return nil }
        var hostBytes = host.utf8[...]
        guard let first = hostBytes.first, first != UInt8(ascii: "."), first != UInt8(ascii: ":") else { return nil }
        var sawColon = false
        var portDigits = 0
        for byte in hostBytes {
            if sawColon {
                guard URIText.isDigit(byte) else { return nil }
                portDigits += 1
            } else if byte == UInt8(ascii: ":") {
                sawColon = true
            } else {
                let ok = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || URIText.isDigit(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                guard ok else { return nil }
            }
        }
        if sawColon {
            // A default or zero-padded port needs normalising: leave it to the full path.
            let port = hostBytes.drop { $0 != UInt8(ascii: ":") }.dropFirst()
            guard (1...5).contains(portDigits), port.first != UInt8(ascii: "0"), !port.elementsEqual("80".utf8),
                  let number = Int(Substring(port)), number <= 65_535
            else { return nil }
            hostBytes = hostBytes.prefix { $0 != UInt8(ascii: ":") }
        }
        guard hostBytes.last != UInt8(ascii: ".") else { return nil }

        let bytes = target.utf8
        guard bytes.first == UInt8(ascii: "/") else { return nil }
        var queryStart: String.Index?
        var previous: UInt8 = 0
        for index in bytes.indices {
            let byte = bytes[index]
            if queryStart == nil {
                if byte == UInt8(ascii: "?") {
                    queryStart = index
                } else {
                    // No escapes to normalise and no dot-segments ("/." starts every one).
                    guard URIText.isUnreserved(byte) || URIText.isSubDelim(byte) || byte == UInt8(ascii: "/")
                            || byte == UInt8(ascii: ":"), !(previous == UInt8(ascii: "/") && byte == UInt8(ascii: "."))
                    else { return nil }
                }
            } else {
                guard URIText.isVisibleASCII(byte), byte != UInt8(ascii: "#") else { return nil }
            }
            previous = byte
        }
        guard let queryStart else {
            return CacheKey(scheme: "http", host: host, path: target, query: nil)
        }
        return CacheKey(scheme: "http", host: host, path: String(target[..<queryStart]),
                        query: String(target[target.utf8.index(after: queryStart)...]))
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
