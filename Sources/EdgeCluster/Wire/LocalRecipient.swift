import Crypto

/// The addresses this node answers to as a gossip recipient. Every packet is bound to the node it was sent to,
/// so a packet captured on its way to one node and replayed to another is refused (`WireError.wrongRecipient`);
/// the replay guard cannot catch that on its own, as it only remembers what *this* node has seen.
///
/// The sender writes the address it sent the datagram to — the seed or member address from the membership,
/// or the source address of the packet it answers — as 8 bytes inside the authenticated header: the port, then
/// a 6-byte hash of the lowercased host. Being under the HMAC, it cannot be rewritten without the cluster key.
/// A receiver accepts the addresses it is known by: its advertised address, its bind address and the address
/// its socket actually bound. A node bound to a wildcard address (0.0.0.0, ::) cannot know which of its
/// interface addresses a peer used, so it checks only the port.
public struct LocalRecipient: Hashable, Sendable {
    public static let size = 8

    /// The 8 wire bytes naming `address`.
    public static func tag(for address: NodeAddress) -> [UInt8] {
        let digest = SHA256.hash(data: Array(address.host.lowercased().utf8))
        return [UInt8(address.port >> 8), UInt8(address.port & 0xFF)] + Array(digest.prefix(size - 2))
    }

    private let tags: Set<[UInt8]>
    private let wildcardPorts: Set<UInt16>

    /// - Parameter addresses: every address this node is known by; wildcard hosts accept any host at their port.
    public init(_ addresses: [NodeAddress]) {
        var tags: Set<[UInt8]> = []
        var wildcardPorts: Set<UInt16> = []
        for address in addresses {
            if Self.isWildcard(address.host) {
                wildcardPorts.insert(address.port)
            } else {
                tags.insert(Self.tag(for: address))
            }
        }
        self.tags = tags
        self.wildcardPorts = wildcardPorts
    }

    /// Whether a packet carrying `tag` was addressed to this node.
    public func accepts<Bytes: Collection>(_ tag: Bytes) -> Bool where Bytes.Element == UInt8 {
        let bytes = Array(tag)
        guard bytes.count == Self.size else { return false }
        if tags.contains(bytes) { return true }
        return wildcardPorts.contains(UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
    }

    static func isWildcard(_ host: String) -> Bool {
        ["0.0.0.0", "::", "0:0:0:0:0:0:0:0"].contains(host)
    }
}
