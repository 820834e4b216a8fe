/// The fixed 12-byte header, minus the four section counts (those follow from the sections when writing).
///
/// Readable on its own so the responder can answer FORMERR with the right id when the rest of a packet is bad.
public struct DNSHeader: Hashable, Sendable {
    public var id: UInt16
    /// QR: set on responses. The responder drops packets that have it, so it never answers an answer.
    public var isResponse: Bool
    public var opcode: DNSOpcode
    /// AA: the answer comes from the zone's own data.
    public var isAuthoritative: Bool
    /// TC: the answer did not fit; retry over TCP.
    public var isTruncated: Bool
    /// RD: copied into responses (RFC 1035 §4.1.1); an authoritative server does not recurse.
    public var recursionDesired: Bool
    /// RA: always clear in our responses.
    public var recursionAvailable: Bool
    /// The reserved Z bit, kept so a round trip is exact.
    public var zero: Bool
    /// AD (RFC 4035): clear in our responses (we do not sign).
    public var authenticData: Bool
    /// CD (RFC 4035): copied into responses.
    public var checkingDisabled: Bool
    /// The low four bits of the response code; EDNS carries the rest.
    public var rcodeBits: UInt8

    public init(
        id: UInt16 = 0, isResponse: Bool = false, opcode: DNSOpcode = .query, isAuthoritative: Bool = false,
        isTruncated: Bool = false, recursionDesired: Bool = false, recursionAvailable: Bool = false,
        zero: Bool = false, authenticData: Bool = false, checkingDisabled: Bool = false, rcodeBits: UInt8 = 0
    ) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.zero = zero
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.rcodeBits = rcodeBits & 0x0F
    }

    public static let length = 12

    /// The 16-bit flags word: QR, OPCODE, AA, TC, RD, RA, Z, AD, CD, RCODE.
    public var flags: UInt16 {
        var flags = UInt16(opcode.rawValue) << 11 | UInt16(rcodeBits & 0x0F)
        if isResponse { flags |= 0x8000 }
        if isAuthoritative { flags |= 0x0400 }
        if isTruncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        if zero { flags |= 0x0040 }
        if authenticData { flags |= 0x0020 }
        if checkingDisabled { flags |= 0x0010 }
        return flags
    }

    public init(id: UInt16, flags: UInt16) {
        self.init(
            id: id, isResponse: flags & 0x8000 != 0, opcode: DNSOpcode(rawValue: UInt8(truncatingIfNeeded: flags >> 11)),
            isAuthoritative: flags & 0x0400 != 0, isTruncated: flags & 0x0200 != 0,
            recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0, zero: flags & 0x0040 != 0,
            authenticData: flags & 0x0020 != 0, checkingDisabled: flags & 0x0010 != 0,
            rcodeBits: UInt8(truncatingIfNeeded: flags & 0x000F))
    }

    /// The header of a packet, or an error when it is shorter than 12 bytes.
    public init(decoding packet: [UInt8]) throws(DNSCodecError) {
        guard packet.count >= Self.length else { throw .truncatedHeader(length: packet.count) }
        self.init(id: UInt16(packet[0]) << 8 | UInt16(packet[1]), flags: UInt16(packet[2]) << 8 | UInt16(packet[3]))
    }
}
