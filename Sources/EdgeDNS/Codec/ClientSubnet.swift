/// The EDNS Client Subnet option (RFC 7871): the part of the client's address a resolver chose to reveal, and
/// in responses, how much of it the answer depended on.
///
/// Construction validates what §6 requires of a well-formed option, so a value of this type is always sendable
/// and a bad one in a query turns into FORMERR (§7.1.2) rather than a guess.
public struct ClientSubnet: Hashable, Sendable, CustomStringConvertible {
    public let family: IPFamily
    public let sourcePrefixLength: UInt8
    public let scopePrefixLength: UInt8
    /// The address truncated to `ceil(sourcePrefixLength / 8)` bytes, bits past the prefix zero.
    public let addressBytes: [UInt8]

    /// From the wire fields. Rejects an unknown family, a prefix longer than the family, an address of the
    /// wrong length and set bits beyond the source prefix; the scope is checked against the family only.
    public init(family rawFamily: UInt16, sourcePrefixLength: UInt8, scopePrefixLength: UInt8, addressBytes: [UInt8])
        throws(DNSCodecError)
    {
        guard let family = IPFamily(rawValue: rawFamily) else {
            throw .badClientSubnet(reason: "unknown family \(rawFamily)")
        }
        guard Int(sourcePrefixLength) <= family.bitCount else {
            throw .badClientSubnet(reason: "source prefix /\(sourcePrefixLength) is longer than \(family)")
        }
        guard Int(scopePrefixLength) <= family.bitCount else {
            throw .badClientSubnet(reason: "scope prefix /\(scopePrefixLength) is longer than \(family)")
        }
        let needed = (Int(sourcePrefixLength) + 7) / 8
        guard addressBytes.count == needed else {
            throw .badClientSubnet(reason: "address has \(addressBytes.count) bytes, /\(sourcePrefixLength) needs \(needed)")
        }
        let spareBits = needed * 8 - Int(sourcePrefixLength)
        if spareBits > 0, let last = addressBytes.last, last & UInt8(0xFF >> (8 - spareBits)) != 0 {
            throw .badClientSubnet(reason: "address has bits set beyond /\(sourcePrefixLength)")
        }
        self.family = family
        self.sourcePrefixLength = sourcePrefixLength
        self.scopePrefixLength = scopePrefixLength
        self.addressBytes = addressBytes
    }

    /// From a prefix, as a resolver would send it (scope 0 unless given).
    public init(prefix: IPPrefix, scopePrefixLength: UInt8 = 0) {
        family = prefix.family
        sourcePrefixLength = UInt8(clamping: prefix.length)
        self.scopePrefixLength = UInt8(clamping: min(Int(scopePrefixLength), prefix.family.bitCount))
        addressBytes = Array(prefix.address.bytes.prefix((prefix.length + 7) / 8))
    }

    /// The same option with another scope, as echoed in a response (§7.2.1: family, source prefix and address
    /// are copied from the query).
    public func withScope(_ scope: UInt8) -> ClientSubnet {
        ClientSubnet(trusted: family, source: sourcePrefixLength, scope: min(scope, UInt8(family.bitCount)),
                     address: addressBytes)
    }

    private init(trusted family: IPFamily, source: UInt8, scope: UInt8, address: [UInt8]) {
        self.family = family
        sourcePrefixLength = source
        scopePrefixLength = scope
        addressBytes = address
    }

    /// The subnet as a prefix (address padded with zero bytes).
    public var prefix: IPPrefix {
        let padded = addressBytes + Array(repeating: 0, count: family.bitCount / 8 - addressBytes.count)
        let address: IPAddress = switch family {
        case .ipv4: .v4(IPv4Address(bytes: padded) ?? IPv4Address(0))
        case .ipv6: .v6(IPv6Address(bytes: padded) ?? IPv6Address(high: 0, low: 0))
        }
        return IPPrefix(address: address, length: Int(sourcePrefixLength))
    }

    /// Bytes of the option's data (after code and length).
    var encodedLength: Int { 4 + addressBytes.count }

    /// "203.0.113.0/24/0": prefix and scope, the way `dig` prints it.
    public var description: String { "\(prefix.address)/\(sourcePrefixLength)/\(scopePrefixLength)" }
}
