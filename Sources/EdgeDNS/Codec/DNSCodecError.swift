/// Why a packet could not be read (or a message written). Offsets are byte positions in the packet, to make a
/// bad capture easy to locate.
///
/// The responder answers FORMERR for all of these once it has read a header, and drops the packet otherwise.
public enum DNSCodecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer than the 12 header bytes.
    case truncatedHeader(length: Int)
    /// A field ran past the end of the packet.
    case unexpectedEnd(offset: Int)
    /// A section count promises more entries than the remaining bytes could hold.
    case countExceedsPacket(section: DNSSection, count: Int)
    /// A label length byte above 63 that is not a compression pointer (0x40/0x80 label types are obsolete).
    case labelTooLong(offset: Int, length: Int)
    /// A name longer than 255 bytes in wire form.
    case nameTooLong(offset: Int)
    /// A compression pointer that does not point before the name it is part of (which is how loops are made).
    case pointerNotBackward(offset: Int, target: Int)
    /// More compression jumps in one name than any valid name needs.
    case tooManyPointers(offset: Int)
    /// A record whose RDATA length does not fit its type (e.g. an A record that is not four bytes).
    case badRecordData(type: DNSRecordType, offset: Int)
    /// Bytes left over after the last record.
    case trailingBytes(count: Int)
    /// More than one OPT record, an OPT outside the additional section, or an OPT owner other than the root.
    case badOPT(reason: String)
    /// An EDNS option that overruns the OPT record.
    case badEDNSOption(offset: Int)
    /// A Client Subnet option that breaks RFC 7871 §6.
    case badClientSubnet(reason: String)
    /// Text that is not a valid domain name.
    case invalidName(text: String, reason: String)
    /// An encoded message over 65,535 bytes.
    case messageTooLarge(size: Int)

    public var description: String {
        switch self {
        case .truncatedHeader(let length): "packet of \(length) bytes is shorter than a DNS header"
        case .unexpectedEnd(let offset): "packet ends inside a field at offset \(offset)"
        case .countExceedsPacket(let section, let count): "\(section) count \(count) exceeds the packet"
        case .labelTooLong(let offset, let length): "label length \(length) at offset \(offset) is over 63"
        case .nameTooLong(let offset): "name at offset \(offset) is longer than 255 bytes"
        case .pointerNotBackward(let offset, let target):
            "compression pointer at offset \(offset) targets \(target), which is not before the name"
        case .tooManyPointers(let offset): "too many compression pointers in the name at offset \(offset)"
        case .badRecordData(let type, let offset): "\(type) record data at offset \(offset) has the wrong length"
        case .trailingBytes(let count): "\(count) bytes after the last record"
        case .badOPT(let reason): "bad OPT record: \(reason)"
        case .badEDNSOption(let offset): "EDNS option at offset \(offset) overruns the OPT record"
        case .badClientSubnet(let reason): "bad Client Subnet option: \(reason)"
        case .invalidName(let text, let reason): "invalid domain name \"\(text)\": \(reason)"
        case .messageTooLarge(let size): "message of \(size) bytes exceeds 65535"
        }
    }
}

/// The four sections after the header.
public enum DNSSection: String, Hashable, Sendable, CustomStringConvertible {
    case question, answer, authority, additional

    public var description: String { rawValue }
}
