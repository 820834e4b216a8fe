/// Why a packet could not be encoded or was rejected on decoding. Decoding never traps: every way arbitrary
/// bytes can be wrong ends here.
public enum WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Shorter than the fixed header and MAC, or a field runs past the end.
    case truncated
    /// Longer than `SWIMCodec.maxAcceptedPacketSize`.
    case oversized(Int)
    case unsupportedVersion(UInt8)
    /// Authentic-looking packet for another cluster (different cluster id).
    case wrongCluster
    /// The HMAC does not verify under our cluster key: forged, corrupted, or another key.
    case badMAC
    /// Authentic, but addressed to another node: captured on its way there and replayed here.
    case wrongRecipient
    /// Authentic but structurally invalid (unknown type, bad UTF-8, out-of-range value, trailing bytes...).
    case malformed(String)
    /// Encoding only: the message would exceed the send limit (the core keeps under it; this is a safety net).
    case tooLargeToSend(Int)
    /// Encoding only: a string field longer than 255 bytes.
    case fieldTooLong(String)

    public var description: String {
        switch self {
        case .truncated: "truncated packet"
        case .oversized(let size): "oversized packet (\(size) bytes)"
        case .unsupportedVersion(let version): "unsupported wire version \(version)"
        case .wrongCluster: "packet from another cluster"
        case .badMAC: "bad HMAC"
        case .wrongRecipient: "packet addressed to another node"
        case .malformed(let why): "malformed packet: \(why)"
        case .tooLargeToSend(let size): "message of \(size) bytes exceeds the packet limit"
        case .fieldTooLong(let field): "\(field) is longer than 255 bytes"
        }
    }

    /// The counter a dropped inbound packet is charged to.
    public var dropReason: PacketDropReason {
        switch self {
        case .truncated: .truncated
        case .oversized: .oversized
        case .unsupportedVersion: .unsupportedVersion
        case .wrongCluster: .wrongCluster
        case .badMAC: .badMAC
        case .wrongRecipient: .wrongRecipient
        case .malformed, .tooLargeToSend, .fieldTooLong: .malformed
        }
    }
}

/// Reasons the UDP shell drops an inbound datagram; each has a counter in the health view.
public enum PacketDropReason: String, Hashable, Sendable, CaseIterable {
    case truncated
    case oversized
    case unsupportedVersion = "unsupported_version"
    case wrongCluster = "wrong_cluster"
    case badMAC = "bad_mac"
    /// Authentic packet bound to another recipient (a capture replayed to the wrong node).
    case wrongRecipient = "wrong_recipient"
    case malformed
    /// Timestamp outside the replay window (or sender clock far off).
    case stale
    /// Exact copy of a packet seen within the replay window.
    case replayed
}
