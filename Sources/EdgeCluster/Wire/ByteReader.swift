import Foundation

/// Bounds-checked reads over an untrusted packet. Every read either succeeds or throws `.truncated` /
/// `.malformed`; nothing indexes past the end.
struct ByteReader {
    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    var isAtEnd: Bool { position >= bytes.endIndex }

    mutating func u8() throws(WireError) -> UInt8 {
        guard position < bytes.endIndex else { throw .truncated }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16() throws(WireError) -> UInt16 {
        UInt16(try u8()) << 8 | UInt16(try u8())
    }

    mutating func u32() throws(WireError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 { value = value << 8 | UInt32(try u8()) }
        return value
    }

    mutating func u64() throws(WireError) -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<8 { value = value << 8 | UInt64(try u8()) }
        return value
    }

    /// LEB128, at most 10 bytes, rejecting encodings that overflow 64 bits.
    mutating func varint() throws(WireError) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<10 {
            let byte = try u8()
            let payload = UInt64(byte & 0x7F)
            if index == 9, payload > 1 { throw .malformed("varint overflows 64 bits") }
            value |= payload << (7 * UInt64(index))
            if byte & 0x80 == 0 { return value }
        }
        throw .malformed("varint longer than 10 bytes")
    }

    mutating func bytes(_ count: Int) throws(WireError) -> ArraySlice<UInt8> {
        guard count >= 0, bytes.endIndex - position >= count else { throw .truncated }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    mutating func string(field: String, allowEmpty: Bool = true) throws(WireError) -> String {
        let length = Int(try u8())
        let raw = try bytes(length)
        guard let text = String(bytes: raw, encoding: .utf8) else { throw .malformed("\(field) is not UTF-8") }
        guard allowEmpty || !text.isEmpty else { throw .malformed("\(field) is empty") }
        return text
    }
}
