/// A response code. Values up to 15 fit the header; larger ones (BADVERS) need the upper eight bits that EDNS
/// carries in the OPT record, which is why this is 12 bits wide.
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt16

    /// Keeps the low twelve bits.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue & 0x0FFF
    }

    public static let noError = DNSResponseCode(rawValue: 0)
    public static let formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    public static let nameError = DNSResponseCode(rawValue: 3)
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    public static let refused = DNSResponseCode(rawValue: 5)
    public static let badVersion = DNSResponseCode(rawValue: 16)

    /// The four bits that go in the header.
    public var headerBits: UInt8 { UInt8(truncatingIfNeeded: rawValue & 0x0F) }

    /// The eight bits that go in the OPT record's extended RCODE field.
    public var extendedBits: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 4) }

    /// Codes the responder can send, in a fixed order, for stats tables.
    public static let known: [DNSResponseCode] = [
        .noError, .formatError, .serverFailure, .nameError, .notImplemented, .refused, .badVersion,
    ]

    /// The mnemonic `dig` prints ("NOERROR", "NXDOMAIN", ...).
    public var description: String {
        switch rawValue {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        case 16: "BADVERS"
        default: "RCODE\(rawValue)"
        }
    }

    public static func < (lhs: DNSResponseCode, rhs: DNSResponseCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
