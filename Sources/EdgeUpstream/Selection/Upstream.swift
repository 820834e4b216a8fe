/// Which tier an upstream belongs to: another node of this CDN (a shield) or the customer's origin.
public enum UpstreamTier: String, Sendable, Hashable {
    /// A node of this CDN in the shield role: a cache in front of the origin that edges share.
    case shield
    /// An origin server: the source of truth, outside the CDN.
    case origin
}

/// One server this node can forward to: a shield node or an origin server.
public struct Upstream: Hashable, Sendable, CustomStringConvertible {
    /// The name operators know it by (`origin-1`, `shield-1`), used in logs, metrics and Cache-Status details.
    public var name: String
    public var scheme: String
    public var host: String
    public var port: Int
    public var tier: UpstreamTier
    /// For `https` upstreams: the client context and verification name connections use (made once at start).
    public var tls: UpstreamTLS?

    public init(name: String, scheme: String = "http", host: String, port: Int, tier: UpstreamTier = .origin,
                tls: UpstreamTLS? = nil) {
        self.name = name
        self.scheme = scheme
        self.host = host
        self.port = port
        self.tier = tier
        self.tls = tls
    }

    /// Parses `http://host:port` (a path, if any, is ignored); `nil` for anything else.
    public init?(name: String, url: String, tier: UpstreamTier = .origin) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var authority = url[schemeEnd.upperBound...]
        if let slash = authority.firstIndex(of: "/") { authority = authority[..<slash] }
        let defaultPort = scheme == "https" ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            let port = rest.hasPrefix(":") ? Int(rest.dropFirst()) : defaultPort
            guard let port, (1...65535).contains(port), !host.isEmpty else { return nil }
            self.init(name: name, scheme: scheme, host: String(host), port: port, tier: tier)
        } else {
            let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard let host = parts.first, !host.isEmpty, parts.count <= 2 else { return nil }
            let port = parts.count == 2 ? Int(parts[1]) : defaultPort
            guard let port, (1...65535).contains(port) else { return nil }
            self.init(name: name, scheme: scheme, host: String(host), port: port, tier: tier)
        }
    }

    /// The base URL requests are sent to.
    public var baseURL: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(hostPart):\(port)"
    }

    public var description: String { "\(name) (\(baseURL))" }
}
