#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address range in CIDR notation (`127.0.0.1/32`, `10.0.0.0/8`, `::1/128`), for allow lists such as
/// `[admin] purge_allow`.
///
/// Host bits beyond the prefix must be zero (`10.1.2.3/8` is refused): a range written that way is usually a
/// typo for a single address or a different prefix, and an allow list is the wrong place to guess.
public struct AddressBlock: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6), network order.
    public let bytes: [UInt8]
    public let prefixLength: Int

    public enum ParseProblem: Error, Equatable, Sendable {
        /// Not an address, or a prefix length out of range.
        case malformed
        /// Bits set past the prefix; carries the range that was probably meant.
        case hostBitsSet(suggestion: String)
    }

    /// Parses `address/length`; a bare address means the single address (`/32` or `/128`).
    public static func parse(_ text: String) -> Result<AddressBlock, ParseProblem> {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let addressText = parts.first, let bytes = addressBytes(String(addressText)) else {
            return .failure(.malformed)
        }
        let bits = bytes.count * 8
        var length = bits
        if parts.count == 2 {
            guard (1...3).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(parts[1]), value <= bits else { return .failure(.malformed) }
            length = value
        }
        let masked = mask(bytes, to: length)
        guard masked == bytes else {
            return .failure(.hostBitsSet(suggestion: AddressBlock(bytes: masked, prefixLength: length).description))
        }
        return .success(AddressBlock(bytes: bytes, prefixLength: length))
    }

    init(bytes: [UInt8], prefixLength: Int) {
        self.bytes = bytes
        self.prefixLength = prefixLength
    }

    /// All of IPv4 loopback, 127.0.0.0/8 (RFC 1122), not just 127.0.0.1: Linux routes the whole block to `lo`,
    /// and the demo cluster gives every node its own 127.x address, so a client on this machine may come from any.
    public static let loopbackIPv4 = AddressBlock(bytes: [127, 0, 0, 0], prefixLength: 8)
    public static let loopbackIPv6 = AddressBlock(bytes: Array(repeating: 0, count: 15) + [1], prefixLength: 128)

    /// Whether a textual client address (`203.0.113.7`, `::1`, `::ffff:127.0.0.1`) lies in the range. An
    /// IPv4-mapped IPv6 address matches IPv4 ranges, as dual-stack sockets report IPv4 clients that way.
    public func contains(address text: String) -> Bool {
        guard var candidate = Self.addressBytes(text) else { return false }
        if bytes.count == 4, candidate.count == 16, candidate[0..<10].allSatisfy({ $0 == 0 }),
           candidate[10] == 0xff, candidate[11] == 0xff {
            candidate = Array(candidate[12...])
        }
        guard candidate.count == bytes.count else { return false }
        return Self.mask(candidate, to: prefixLength) == bytes
    }

    public var description: String {
        var storage = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let text: String = bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, inet_ntop(family, base, &storage, socklen_t(storage.count)) != nil else {
                return "?"
            }
            return String(decoding: storage.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return "\(text)/\(prefixLength)"
    }

    static func addressBytes(_ text: String) -> [UInt8]? {
        if IPAddressText.isIPv4(Substring(text)) {
            return text.split(separator: ".").compactMap { UInt8($0) }
        }
        guard IPAddressText.isIPv6(Substring(text)) else { return nil }
        var storage = in6_addr()
        guard text.withCString({ inet_pton(AF_INET6, $0, &storage) }) == 1 else { return nil }
        return withUnsafeBytes(of: &storage) { Array($0) }
    }

    static func mask(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        var out = bytes
        for index in out.indices {
            let bitsHere = min(8, max(0, length - index * 8))
            out[index] &= bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bitsHere))
        }
        return out
    }
}
