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

    /// The primary key the proxy stores an absolute `http(s)://host[:port]/path?query` URL under: the same key
    /// a request with that absolute-form target gets (see `forRequest(target:host:)`).
    /// `nil` for anything that is not an absolute http(s) URL with a usable host.
    public static func primaryKey(forURL url: String) -> String? {
        guard !url.hasPrefix("/") else { return nil }
        return forRequest(target: url, host: nil)?.primary
    }

    /// The key of a request, the one home of the rules for which host and target a request names:
    /// - origin-form (`/path?query`): the Host field's host, its port left out;
    /// - absolute-form (`http://host[:port]/path?query`, which RFC 9112 §3.2.2 says a server MUST accept): the
    ///   target's authority, port left out, and the Host field is ignored; `https` is folded to `http` (TLS
    ///   ends in front of the node).
    /// Then the usual normalisation (case, trailing dot, dot-segments, unreserved escapes). What the proxy
    /// forwards upstream is this key's `host` and `originForm`, so nothing reaches the origin that the key
    /// does not record. `nil` for asterisk- and authority-form, other schemes, a missing or unusable host,
    /// userinfo, fragments, invalid escapes and characters outside visible ASCII.
    public static func forRequest(target: String, host: String?) -> CacheKey? {
        if target.hasPrefix("/") {
            guard let host else { return nil }
            return CacheKey(scheme: "http", host: hostWithoutPort(host), target: target)
        }
        guard let (scheme, authority, rest) = URIText.splitAbsolute(Substring(target)) else { return nil }
        let folded = scheme.lowercased()
        guard folded == "http" || folded == "https", !authority.isEmpty else { return nil }
        let originForm = rest.hasPrefix("/") ? String(rest) : "/" + rest
        return CacheKey(scheme: "http", host: hostWithoutPort(authority), target: originForm)
    }

    /// The key's target in origin-form (`/path?query`): what the proxy sends upstream as the request target.
    public var originForm: String {
        guard let query else { return path }
        return path + "?" + query
    }
}
