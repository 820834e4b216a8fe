/// The RDATA of a record. The types the zone serves are decoded; everything else is kept as bytes.
///
/// Opaque data is kept exactly as read: if another server compressed a name inside it, the bytes still refer
/// to offsets of the original packet. The responder never re-sends records it received, so that is harmless.
public enum DNSRecordData: Hashable, Sendable {
    case a(IPv4Address)
    case aaaa(IPv6Address)
    case ns(DNSName)
    case soa(DNSSOAData)
    case opaque(type: DNSRecordType, bytes: [UInt8])

    public var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .ns: .ns
        case .soa: .soa
        case .opaque(let type, _): type
        }
    }
}

/// SOA RDATA (RFC 1035 §3.3.13). `minimum` is the negative-caching TTL (RFC 2308).
public struct DNSSOAData: Hashable, Sendable {
    /// The primary name server.
    public var primaryServer: DNSName
    /// The responsible mailbox, written as a name ("hostmaster.cdn.test" for hostmaster@cdn.test).
    public var responsibleMailbox: DNSName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32

    public init(
        primaryServer: DNSName, responsibleMailbox: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32,
        expire: UInt32, minimum: UInt32
    ) {
        self.primaryServer = primaryServer
        self.responsibleMailbox = responsibleMailbox
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}
