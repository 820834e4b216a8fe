/// Constants of the wire format, version 2. Layout of a packet (integers big-endian):
///
///     version u8 | cluster id hash [4] | sent-at ms u64 | recipient [8] | type u8 | sender str8 | type fields
///     | update count u8 | updates... | HMAC-SHA256 [32] over everything before it
///
///     str8      = length u8, UTF-8 bytes
///     ping/ack/nack fields = sequence u32
///     pingRequest fields   = sequence u32, target str8, target host str8, target port u16
///     update    = member str8, incarnation varint, change u8 (0 alive, 1 suspect, 2 dead, 3 left), then
///                 alive:   host str8, port u16, role u8, flags u8 (bit 0 draining), public HTTP address str8,
///                          region str8, latitude i32 (µdeg), longitude i32 (µdeg), active connections varint,
///                          requests/s in tenths varint, cache fill in basis points u16
///                 suspect: suspector str8
///     recipient = the address the packet was sent to: port u16, then 6 bytes of SHA-256 of the lowercased
///                 host (see `LocalRecipient`)
///
/// Version 2 added the recipient; version 1 packets (without it) are refused as `unsupportedVersion`.
enum WireFormat {
    static let version: UInt8 = 2
    /// Version, cluster hash, timestamp and recipient: what `SWIMCodec.header` writes.
    static let envelopeSize = 1 + 4 + 8 + LocalRecipient.size
    /// The envelope and the type byte.
    static let headerSize = envelopeSize + 1
    static let macSize = 32

    enum MessageType: UInt8 {
        case ping = 1, pingRequest, ack, nack, join, joinReply, gossip
    }

    enum ChangeType: UInt8 {
        case alive = 0, suspect, dead, left
    }

    static let drainingFlag: UInt8 = 0x01
}

/// Exact encoded sizes, computed without encoding, so the core can fill packets up to the limit. A test checks
/// these against real encodings.
public enum WireSize {
    /// Updates in one packet are counted in one byte.
    public static let maxUpdatesPerPacket = 255
    /// An update with a one-byte name, small incarnation and no payload.
    static let smallestUpdate = 2 + 1 + 1

    static func string(_ text: String) -> Int { 1 + text.utf8.count }

    static func varint(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest != 0 {
            size += 1
            rest >>= 7
        }
        return size
    }

    /// Everything in a packet except its updates: header, sender, type fields, count byte and MAC.
    public static func overhead(sender: NodeID, kind: SWIMMessage.Kind) -> Int {
        let fields: Int
        switch kind {
        case .ping, .ack, .nack: fields = 4
        case .pingRequest(_, let target, let address): fields = 4 + string(target.name) + string(address.host) + 2
        case .join, .joinReply, .gossip: fields = 0
        }
        return WireFormat.headerSize + string(sender.name) + fields + 1 + WireFormat.macSize
    }

    public static func update(_ update: MembershipUpdate) -> Int {
        let base = string(update.member.name) + varint(update.incarnation) + 1
        switch update.change {
        case .alive(let address, let metadata):
            return base + string(address.host) + 2 + 2 + string(metadata.publicHTTPAddress) + string(metadata.region)
                + 8 + varint(UInt64(metadata.load.activeConnections))
                + varint(UInt64(metadata.load.requestsPerSecondTenths)) + 2
        case .suspect(let suspector):
            return base + string(suspector.name)
        case .dead, .left:
            return base
        }
    }

    /// Size of the datagram the codec produces for `message`.
    public static func packet(_ message: SWIMMessage) -> Int {
        message.updates.reduce(overhead(sender: message.sender, kind: message.kind)) { $0 + update($1) }
    }
}
