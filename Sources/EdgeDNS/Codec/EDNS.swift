/// The EDNS(0) OPT pseudo-record (RFC 6891), kept apart from the additional section because it is not data:
/// it describes the message (payload size, extended RCODE, version, DO bit, options).
public struct EDNS: Hashable, Sendable {
    /// The largest UDP payload the sender can receive (the OPT record's CLASS field).
    public var udpPayloadSize: UInt16
    /// The upper eight bits of the response code.
    public var extendedRCode: UInt8
    public var version: UInt8
    /// DO: the sender wants DNSSEC records. We have none; the bit is read and not echoed.
    public var dnssecOK: Bool
    /// The 15 other flag bits, which must be zero today; kept for an exact round trip.
    public var otherFlags: UInt16
    public var options: [EDNSOption]

    public init(
        udpPayloadSize: UInt16 = 1232, extendedRCode: UInt8 = 0, version: UInt8 = 0, dnssecOK: Bool = false,
        otherFlags: UInt16 = 0, options: [EDNSOption] = []
    ) {
        self.udpPayloadSize = udpPayloadSize
        self.extendedRCode = extendedRCode
        self.version = version
        self.dnssecOK = dnssecOK
        self.otherFlags = otherFlags & 0x7FFF
        self.options = options
    }

    /// The first Client Subnet option, if any.
    public var clientSubnet: ClientSubnet? {
        for option in options {
            if case .clientSubnet(let subnet) = option { return subnet }
        }
        return nil
    }

    /// The OPT record's TTL field: extended RCODE, version, DO and the other flags.
    var ttlField: UInt32 {
        UInt32(extendedRCode) << 24 | UInt32(version) << 16 | (dnssecOK ? 0x8000 : 0) | UInt32(otherFlags & 0x7FFF)
    }
}

/// One option inside an OPT record.
public enum EDNSOption: Hashable, Sendable {
    case clientSubnet(ClientSubnet)
    /// Any other option (cookies, padding, ...), kept as code and bytes.
    case opaque(code: UInt16, data: [UInt8])

    public static let clientSubnetCode: UInt16 = 8
    public static let cookieCode: UInt16 = 10

    public var code: UInt16 {
        switch self {
        case .clientSubnet: Self.clientSubnetCode
        case .opaque(let code, _): code
        }
    }
}
