/// A bounds-checked cursor over a packet. Every read checks the remaining length and throws rather than trapping,
/// because every byte here came off the network.
struct DNSReader {
    let bytes: [UInt8]
    var offset: Int

    /// A name of 255 bytes has at most 127 labels, so a valid name never needs more jumps than that.
    static let maxPointerJumps = 127

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func readUInt8() throws(DNSCodecError) -> UInt8 {
        guard offset < bytes.count else { throw .unexpectedEnd(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() throws(DNSCodecError) -> UInt16 {
        guard offset + 2 <= bytes.count else { throw .unexpectedEnd(offset: offset) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32() throws(DNSCodecError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw .unexpectedEnd(offset: offset) }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    mutating func readBytes(_ count: Int) throws(DNSCodecError) -> [UInt8] {
        guard count >= 0, offset + count <= bytes.count else { throw .unexpectedEnd(offset: offset) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a possibly compressed name and leaves the cursor after its inline part.
    ///
    /// Loop protection: each pointer must target a position before the start of the run of labels it ends (and
    /// after the header). Positions therefore strictly decrease from jump to jump, so no sequence of pointers
    /// can cycle; the jump cap and the 255-byte cap bound the work on top of that.
    mutating func readName() throws(DNSCodecError) -> DNSName {
        let start = offset
        var position = offset
        var runStart = offset
        var labels: [[UInt8]] = []
        var wireLength = 1
        var jumps = 0
        var resumeAt: Int?
        while true {
            guard position < bytes.count else { throw .unexpectedEnd(offset: position) }
            let length = Int(bytes[position])
            if length == 0 {
                position += 1
                break
            }
            switch length & 0xC0 {
            case 0xC0:
                guard position + 1 < bytes.count else { throw .unexpectedEnd(offset: position) }
                let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < runStart, target >= DNSHeader.length else {
                    throw .pointerNotBackward(offset: position, target: target)
                }
                jumps += 1
                guard jumps <= Self.maxPointerJumps else { throw .tooManyPointers(offset: start) }
                if resumeAt == nil { resumeAt = position + 2 }
                position = target
                runStart = target
            case 0x00:
                wireLength += length + 1
                guard wireLength <= DNSName.maxWireLength else { throw .nameTooLong(offset: start) }
                guard position + 1 + length <= bytes.count else { throw .unexpectedEnd(offset: position) }
                labels.append(Array(bytes[position + 1..<position + 1 + length]))
                position += 1 + length
            default:
                throw .labelTooLong(offset: position, length: length)
            }
        }
        offset = resumeAt ?? position
        return DNSName(uncheckedLabels: labels)
    }
}
