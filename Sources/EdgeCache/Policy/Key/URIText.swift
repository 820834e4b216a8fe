/// Small pieces of RFC 3986 syntax used to build cache keys.
enum URIText {
    static func isVisibleASCII(_ byte: UInt8) -> Bool { byte >= 0x21 && byte <= 0x7E }

    static func isAlpha(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    /// unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
    static func isUnreserved(_ byte: UInt8) -> Bool {
        isAlpha(byte) || isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
    }

    static func isSubDelim(_ byte: UInt8) -> Bool { "!$&'()*+,;=".utf8.contains(byte) }

    static let defaultPorts = ["http": 80, "https": 443]

    /// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), lowercased.
    static func normaliseScheme(_ scheme: String) -> String? {
        let bytes = Array(scheme.utf8)
        guard let first = bytes.first, isAlpha(first),
              bytes.allSatisfy({ isAlpha($0) || isDigit($0) || "+-.".utf8.contains($0) }) else { return nil }
        return scheme.lowercased()
    }

    /// Splits an absolute-form target `scheme://authority[/path][?query]` into its parts; the path part may be
    /// empty (it becomes "/" later). `nil` for anything else, including authority-form and "*".
    static func splitAbsolute(_ target: Substring) -> (scheme: String, authority: String, rest: Substring)? {
        guard let separator = target.range(of: "://") else { return nil }
        let scheme = String(target[..<separator.lowerBound])
        let afterScheme = target[separator.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
        let authority = String(afterScheme[..<authorityEnd])
        let rest = afterScheme[authorityEnd...]
        return (scheme, authority, rest)
    }

    /// Lowercases the host, drops a trailing dot and the scheme's default port, and validates what remains.
    /// Userinfo (`user@host`) is rejected: it has no place in a request's authority (RFC 9110 §4.2.4).
    static func normaliseAuthority(_ authority: String, scheme: String) -> String? {
        let lowered = authority.lowercased()
        guard !lowered.isEmpty, !lowered.contains("@"), lowered.utf8.allSatisfy(isVisibleASCII) else { return nil }
        var hostPart: Substring
        var portPart: Substring?
        if lowered.hasPrefix("[") {
            guard let close = lowered.firstIndex(of: "]") else { return nil }
            hostPart = lowered[...close]
            let inner = hostPart.dropFirst().dropLast()
            guard !inner.isEmpty,
                  inner.utf8.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
            else { return nil }
            let afterHost = lowered[lowered.index(after: close)...]
            if !afterHost.isEmpty {
                guard afterHost.first == ":" else { return nil }
                portPart = afterHost.dropFirst()
            }
        } else {
            if let colon = lowered.firstIndex(of: ":") {
                hostPart = lowered[..<colon]
                portPart = lowered[lowered.index(after: colon)...]
            } else {
                hostPart = lowered[...]
            }
            while hostPart.last == "." { hostPart = hostPart.dropLast() }
            guard !hostPart.isEmpty,
                  hostPart.utf8.allSatisfy({ isUnreserved($0) || isSubDelim($0) || $0 == UInt8(ascii: "%") })
            else { return nil }
        }
        var result = String(hostPart)
        if let portPart, !portPart.isEmpty {
            guard portPart.utf8.allSatisfy(isDigit), portPart.count <= 5, let port = Int(portPart),
                  port <= 65_535 else { return nil }
            if defaultPorts[scheme] != port { result += ":\(port)" }
        }
        return result
    }
}
