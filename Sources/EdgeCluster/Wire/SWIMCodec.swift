import Crypto

/// Encodes messages to authenticated datagrams and decodes untrusted datagrams back, rejecting anything that is
/// not a well-formed, authentic packet of our cluster and wire version. Pure: no I/O, no clock (the sender's
/// timestamp is passed in and handed back for `ReplayGuard`).
public struct SWIMCodec: Sendable {
    /// Datagrams longer than this are rejected before any parsing; we never send more than 1400 bytes.
    public static let maxAcceptedPacketSize = 64 * 1024
    /// Hard ceiling for what we send, whatever the settings say.
    public static let maxSentPacketSize = 1400

    let clusterHash: [UInt8]
    private let key: ClusterKey

    /// - Parameter clusterID: distinguishes clusters sharing a network; only a 4-byte hash goes on the wire.
    public init(clusterID: String, key: ClusterKey) {
        self.clusterHash = Array(SHA256.hash(data: Array(clusterID.utf8)).prefix(4))
        self.key = key
    }

    /// - Parameter recipient: the address the datagram is sent to; the packet is valid only there.
    public func encode(_ message: SWIMMessage, to recipient: NodeAddress,
                       timestampMillis: UInt64) throws(WireError) -> [UInt8] {
        let expected = WireSize.packet(message)
        guard expected <= Self.maxSentPacketSize else { throw .tooLargeToSend(expected) }
        var writer = ByteWriter(capacity: expected)
        writer.append(header(timestampMillis: timestampMillis, recipient: recipient))
        try MessageEncoding.encodeBody(message, into: &writer)
        return sealing(writer.bytes)
    }

    /// Appends the HMAC to an unsigned packet. `encode` uses it; tests use it to build packets that are
    /// authentic but malformed, which is the only way to reach the parser behind the MAC check.
    public func sealing(_ unsigned: [UInt8]) -> [UInt8] {
        unsigned + Array(HMAC<SHA256>.authenticationCode(for: unsigned, using: key.symmetricKey))
    }

    /// The unsigned envelope (version, cluster hash, timestamp, recipient) that `sealing` expects in front of a
    /// body.
    /// `version` defaults to the current one; tests pass others.
    public func header(timestampMillis: UInt64, recipient: NodeAddress, version: UInt8? = nil) -> [UInt8] {
        var writer = ByteWriter(capacity: WireFormat.envelopeSize)
        writer.u8(version ?? WireFormat.version)
        writer.append(clusterHash)
        writer.u64(timestampMillis)
        writer.append(LocalRecipient.tag(for: recipient))
        return writer.bytes
    }

    /// The size of `header(...)`: where a packet's body starts.
    public static var envelopeSize: Int { WireFormat.envelopeSize }

    /// Checks run cheapest first, and nothing past the header is parsed before the MAC has verified. The
    /// recipient is checked after the MAC, so `wrongRecipient` counts authentic packets replayed to the wrong
    /// node, not forgeries.
    public func decode(_ packet: [UInt8], for local: LocalRecipient) throws(WireError) -> DecodedPacket {
        guard packet.count <= Self.maxAcceptedPacketSize else { throw .oversized(packet.count) }
        guard packet.count >= WireFormat.headerSize + WireFormat.macSize else { throw .truncated }
        guard packet[0] == WireFormat.version else { throw .unsupportedVersion(packet[0]) }
        guard packet[1..<5].elementsEqual(clusterHash) else { throw .wrongCluster }
        let macStart = packet.count - WireFormat.macSize
        let body = packet[0..<macStart]
        let tag = packet[macStart...]
        guard HMAC<SHA256>.isValidAuthenticationCode(tag, authenticating: body, using: key.symmetricKey) else { throw .badMAC }
        var reader = ByteReader(body)
        _ = try reader.bytes(5)
        let timestamp = try reader.u64()
        guard local.accepts(try reader.bytes(LocalRecipient.size)) else { throw .wrongRecipient }
        let message = try MessageEncoding.decodeBody(from: &reader)
        return DecodedPacket(message: message, timestampMillis: timestamp, tag: Array(tag))
    }
}

/// A packet that passed every check.
public struct DecodedPacket: Hashable, Sendable {
    public var message: SWIMMessage
    /// The sender's clock when it sent the packet, milliseconds since the epoch.
    public var timestampMillis: UInt64
    /// The packet's MAC, which identifies it for replay detection.
    public var tag: [UInt8]
}
