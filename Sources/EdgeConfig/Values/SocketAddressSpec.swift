/// Where a listener binds: a literal IP (or `localhost`) and a port, written `"127.0.0.1:8081"` or `"[::1]:8081"`.
///
/// Kept as text rather than a NIO `SocketAddress` so this module stays free of networking; the server resolves it
/// at bind time.
public struct SocketAddressSpec: Hashable, Sendable, CustomStringConvertible {
    /// A literal IPv4/IPv6 address (IPv6 without brackets) or `localhost`.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Why a `"host:port"` text was refused; each case maps to one operator-facing message.
    public enum ParseProblem: Error, Equatable, Sendable {
        /// Not shaped like host:port, or the port is not 1-65535.
        case malformed
        /// Shaped right, but the host is a name rather than a literal address.
        case hostNotLiteral
    }

    public static func parse(_ text: String) -> Result<SocketAddressSpec, ParseProblem> {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(.malformed) }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return .failure(.malformed) }
            portPart = rest.dropFirst()
            guard IPAddressText.isIPv6(hostPart) else { return .failure(.hostNotLiteral) }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return .failure(.malformed) }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            // An unbracketed IPv6 address is ambiguous with its port.
            guard !hostPart.isEmpty, !hostPart.contains(":") else { return .failure(.malformed) }
        }
        guard (1...5).contains(portPart.count), portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portPart), (1...65_535).contains(port) else { return .failure(.malformed) }
        let lowered = hostPart.lowercased()
        guard lowered == "localhost" || IPAddressText.isIPv4(hostPart) || IPAddressText.isIPv6(hostPart) else {
            return .failure(.hostNotLiteral)
        }
        return .success(SocketAddressSpec(host: lowered, port: port))
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Whether two listeners would fight over the same socket: same port and same address, treating a wildcard
    /// address and `localhost` ≈ loopback as overlapping.
    public func conflicts(with other: SocketAddressSpec) -> Bool {
        guard port == other.port else { return false }
        let a = canonicalHost, b = other.canonicalHost
        return a == b || a == "0.0.0.0" || b == "0.0.0.0" || a == "::" || b == "::"
    }

    private var canonicalHost: String {
        switch host {
        case "localhost": return "127.0.0.1"
        case "0:0:0:0:0:0:0:0": return "::"
        case "0:0:0:0:0:0:0:1": return "::1"
        default: return host
        }
    }
}
