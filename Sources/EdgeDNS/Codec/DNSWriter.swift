/// Appends wire-format fields to a byte array, compressing names (RFC 1035 §4.1.4).
struct DNSWriter {
    private(set) var bytes: [UInt8] = []
    /// Where each name suffix already written starts, keyed by its lowercased wire form.
    private var suffixOffsets: [ArraySlice<UInt8>: Int] = [:]

    /// Compression pointers have 14 bits, so only names starting below this offset can be pointed at.
    static let maxPointerTarget = 0x3FFF

    init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    mutating func writeUInt8(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func writeUInt32(_ value: UInt32) {
        writeUInt16(UInt16(truncatingIfNeeded: value >> 16))
        writeUInt16(UInt16(truncatingIfNeeded: value))
    }

    mutating func writeBytes(_ data: [UInt8]) {
        bytes.append(contentsOf: data)
    }

    /// Overwrites two bytes written earlier (record and option lengths are known only afterwards).
    mutating func patchUInt16(_ value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Writes the longest unseen prefix of labels, then a pointer to the rest if it was written before.
    /// Matching is case-insensitive, so "WWW.cdn.test" in the question compresses "www.cdn.test" in answers;
    /// the bytes pointed to keep the question's case, which resolvers accept (RFC 4343).
    mutating func writeName(_ name: DNSName, compress: Bool = true) {
        let key = name.canonicalKey
        var keyOffset = 0
        for label in name.labels {
            let suffix = key[keyOffset...]
            if compress, let target = suffixOffsets[suffix] {
                writeUInt16(0xC000 | UInt16(target))
                return
            }
            if compress, bytes.count <= Self.maxPointerTarget {
                suffixOffsets[suffix] = bytes.count
            }
            bytes.append(UInt8(label.count))
            bytes.append(contentsOf: label)
            keyOffset += label.count + 1
        }
        bytes.append(0)
    }
}
