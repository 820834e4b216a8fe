/// A CIDR block such as `203.0.113.0/24` or `2001:db8::/32`.
///
/// The stored address always has its host bits cleared, so two spellings of one block compare equal.
public struct IPPrefix: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let length: Int

    /// Host bits in `address` are cleared; `length` is clamped to the family's size.
    public init(address: IPAddress, length: Int) {
        let clamped = min(max(length, 0), address.family.bitCount)
        self.address = address.masked(to: clamped)
        self.length = clamped
    }

    /// "address/length"; a bare address is a host prefix (/32 or /128). Host bits are cleared rather than
    /// rejected ("10.1.2.3/8" is 10.0.0.0/8), as most routers and geo databases accept them.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = IPAddress(parts[0]) else { return nil }
        var length = address.family.bitCount
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                  let parsed = Int(parts[1]), parsed <= address.family.bitCount else { return nil }
            length = parsed
        }
        self.init(address: address, length: length)
    }

    public var family: IPFamily { address.family }

    public func contains(_ other: IPAddress) -> Bool {
        other.family == family && other.masked(to: length) == address
    }

    public var description: String { "\(address)/\(length)" }
}
