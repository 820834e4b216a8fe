/// An upstream reached over HTTP: scheme, host and port, parsed from `"http://127.0.0.1:8080"`.
///
/// Paths are refused on purpose: the edge forwards the client's path unchanged, and a base path in the origin URL
/// would silently rewrite every request.
public struct OriginEndpoint: Hashable, Sendable, CustomStringConvertible {
    public enum Scheme: String, Sendable {
        case http
        case https

        public var defaultPort: Int { self == .http ? 80 : 443 }
    }

    public var scheme: Scheme
    /// Lower-cased host name or literal address (IPv6 without brackets).
    public var host: String
    public var port: Int

    public init(scheme: Scheme, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Accepts `scheme://host[:port]` with an optional trailing `/`; no user info, path, query or fragment.
    public static func parse(_ text: String) -> OriginEndpoint? {
        let scheme: Scheme
        let rest: Substring
        let lowered = text.lowercased()
        if lowered.hasPrefix("http://") {
            scheme = .http
            rest = text.dropFirst("http://".count)
        } else if lowered.hasPrefix("https://") {
            scheme = .https
            rest = text.dropFirst("https://".count)
        } else {
            return nil
        }
        let authority = rest.hasSuffix("/") ? rest.dropLast() : rest
        guard !authority.isEmpty, !authority.contains(where: { "/?#@ \t".contains($0) }) else { return nil }

        let hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let tail = authority[authority.index(after: close)...]
            if !tail.isEmpty {
                guard tail.hasPrefix(":") else { return nil }
                portPart = tail.dropFirst()
            }
            guard IPAddressText.isIPv6(hostPart) else { return nil }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            } else {
                hostPart = authority
            }
            guard IPAddressText.isIPv4(hostPart) || IPAddressText.isHostName(hostPart) else { return nil }
        }
        var port = scheme.defaultPort
        if let portPart {
            guard (1...5).contains(portPart.count), portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(portPart), (1...65_535).contains(value) else { return nil }
            port = value
        }
        return OriginEndpoint(scheme: scheme, host: hostPart.lowercased(), port: port)
    }

    /// `host[:port]` as a Host header would carry it (the port only when not the scheme's default).
    public var authority: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return port == scheme.defaultPort ? hostText : "\(hostText):\(port)"
    }

    /// The normalised URL, e.g. `http://127.0.0.1:8080`.
    public var url: String { "\(scheme.rawValue)://\(authority)" }

    public var description: String { url }
}
