/// An IPv4 or IPv6 address.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Either text form. IPv6 may be written in brackets ("[::1]"), as URLs and host:port strings do.
    public init?(_ text: some StringProtocol) {
        if let v4 = IPv4Address(text) {
            self = .v4(v4)
            return
        }
        var inner = Substring(text)
        if inner.first == "[", inner.last == "]" { inner = inner.dropFirst().dropLast() }
        guard let v6 = IPv6Address(inner) else { return nil }
        self = .v6(v6)
    }

    /// The host of a "host:port", "[v6]:port" or bare address string, as the gossip view's public HTTP address
    /// carries it; nil when the host is not a literal address (names are not resolved here).
    public init?(hostPort text: some StringProtocol) {
        let text = String(text)
        if let address = IPAddress(text) {
            self = address
            return
        }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            guard let address = IPAddress(text[text.index(after: text.startIndex)..<close]) else { return nil }
            self = address
            return
        }
        guard let colon = text.lastIndex(of: ":"), let address = IPv4Address(text[..<colon]) else { return nil }
        self = .v4(address)
    }

    public var family: IPFamily {
        switch self {
        case .v4: .ipv4
        case .v6: .ipv6
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .v4(let address): address.bytes
        case .v6(let address): address.bytes
        }
    }

    /// IPv4-mapped IPv6 addresses become plain IPv4; everything else is unchanged.
    public var unmapped: IPAddress {
        if case .v6(let address) = self, let v4 = address.ipv4Mapped { return .v4(v4) }
        return self
    }

    public func masked(to prefixLength: Int) -> IPAddress {
        switch self {
        case .v4(let address): .v4(address.masked(to: prefixLength))
        case .v6(let address): .v6(address.masked(to: prefixLength))
        }
    }

    public var description: String {
        switch self {
        case .v4(let address): address.description
        case .v6(let address): address.description
        }
    }
}

/// Address family, with the numbers IANA assigns (RFC 7871's FAMILY field uses them).
public enum IPFamily: UInt16, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case ipv4 = 1
    case ipv6 = 2

    public var bitCount: Int {
        switch self {
        case .ipv4: 32
        case .ipv6: 128
        }
    }

    public var description: String {
        switch self {
        case .ipv4: "IPv4"
        case .ipv6: "IPv6"
        }
    }
}
