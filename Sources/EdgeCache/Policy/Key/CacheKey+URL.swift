extension CacheKey {
    /// The host part of a Host field: `example.com:8080` → `example.com`, `[::1]:8080` → `[::1]`; anything else
    /// unchanged. Cache keys leave the port out: every node of the CDN serves the same sites, and the port a
    /// client happened to connect to (8081 on one edge, 8090 on a shield) must not split one object into
    /// several, or the tiers could not share it.
    public static func hostWithoutPort(_ host: String) -> String {
        let utf8 = host.utf8
        guard let colon = utf8.lastIndex(of: UInt8(ascii: ":")) else { return host }
        if let bracket = utf8.lastIndex(of: UInt8(ascii: "]")), bracket > colon { return host }
        if utf8.first != UInt8(ascii: "["), utf8[..<colon].contains(UInt8(ascii: ":")) { return host }  // bare IPv6
        let digits = utf8[utf8.index(after: colon)...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return host
        }
        return String(host[..<colon])
    }

    /// The primary key the proxy stores an absolute `http(s)://host[:port]/path?query` URL under: scheme
    /// folded to `http` (TLS ends in front of the node), port left out, then the usual key normalisation.
    /// `nil` for anything that is not an absolute http(s) URL with a usable host.
    public static func primaryKey(forURL url: String) -> String? {
        guard let separator = url.range(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = url[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = String(rest[..<authorityEnd])
        guard !authority.isEmpty else { return nil }
        var target = String(rest[authorityEnd...])
        if !target.hasPrefix("/") { target = "/" + target }
        return CacheKey(scheme: "http", host: hostWithoutPort(authority), target: target)?.primary
    }
}
