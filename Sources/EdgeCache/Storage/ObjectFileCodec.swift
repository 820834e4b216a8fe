import Crypto
import NIOCore
import NIOHTTP1

/// The on-disk format of one cached object. Pure: bytes in, bytes out.
///
/// ```
/// "EDGC"  u16 version  u32 metadataLength  u64 bodyLength      fixed header, big-endian, 18 bytes
/// metadata (metadataLength bytes)                              see `ObjectMetadata`
/// body (bodyLength bytes)
/// SHA-256 of everything above (32 bytes)
/// ```
/// Lengths come first so an index rebuild can read the metadata from a short prefix of the file and check the
/// file's size against the declared total without reading the body. The trailing checksum is verified on every
/// full read, so a torn write, a truncated file or a flipped bit is a miss rather than a wrong response.
public enum ObjectFileCodec {
    public static let magic: [UInt8] = Array("EDGC".utf8)
    public static let currentVersion: UInt16 = 1
    public static let fixedHeaderLength = 18
    public static let checksumLength = 32
    /// Metadata beyond this is refused in both directions: real headers are far smaller, and it bounds what a
    /// damaged length field can make the decoder attempt.
    public static let maxMetadataLength = 16 * 1024 * 1024

    /// Where the parts of an encoded object lie, read from its fixed header.
    public struct Layout: Sendable, Equatable {
        public var metadataLength: Int
        public var bodyLength: Int
        public var metadataEnd: Int { ObjectFileCodec.fixedHeaderLength + metadataLength }
        public var bodyEnd: Int { metadataEnd + bodyLength }
        /// The exact size of a well-formed file with this header.
        public var totalLength: Int { bodyEnd + ObjectFileCodec.checksumLength }
    }

    // MARK: Encoding

    /// Encodes an object whose body is in memory. (One whose body is in its file is copied by `DiskTier`, which
    /// writes `encodeHead` and then the body in pieces.)
    public static func encode(_ object: CachedObject) throws(ObjectFileCodecError) -> ByteBuffer {
        guard object.fileBody == nil else { throw .unencodable("the body is in a file") }
        var out = try encodeHead(object, extraCapacity: object.body.readableBytes + checksumLength)
        out.writeImmutableBuffer(object.body)
        appendChecksum(to: &out)
        return out
    }

    /// The fixed header and metadata of `object`, for a body of `object.bodyLength` bytes to follow.
    public static func encodeHead(_ object: CachedObject, extraCapacity: Int = 0) throws(ObjectFileCodecError)
        -> ByteBuffer {
        var metadata = ByteBuffer()
        try writeMetadata(of: object, into: &metadata)
        guard metadata.readableBytes <= maxMetadataLength else {
            throw .unencodable("metadata of \(metadata.readableBytes) bytes exceeds \(maxMetadataLength)")
        }
        var out = ByteBuffer()
        out.reserveCapacity(fixedHeaderLength + metadata.readableBytes + extraCapacity)
        out.writeBytes(magic)
        out.writeInteger(currentVersion, endianness: .big)
        out.writeInteger(UInt32(metadata.readableBytes), endianness: .big)
        out.writeInteger(UInt64(object.bodyLength), endianness: .big)
        out.writeImmutableBuffer(metadata)
        return out
    }

    public static func encode(_ object: CachedObject) throws(ObjectFileCodecError) -> [UInt8] {
        let buffer: ByteBuffer = try encode(object)
        return Array(buffer.readableBytesView)
    }

    private static func writeMetadata(of object: CachedObject, into out: inout ByteBuffer) throws(ObjectFileCodecError) {
        guard let status = UInt16(exactly: object.status) else {
            throw .unencodable("status \(object.status) out of range")
        }
        out.writeInteger(status, endianness: .big)
        out.writeInteger(object.requestTime.bitPattern, endianness: .big)
        out.writeInteger(object.responseTime.bitPattern, endianness: .big)
        out.writeInteger(object.storedAt.bitPattern, endianness: .big)
        out.writeInteger(object.generation, endianness: .big)
        try writeString(object.primaryKey, into: &out)
        try writeString(object.variantKey, into: &out)
        try writeStrings(object.varyFields, into: &out)
        try writeStrings(object.tags, into: &out)
        try writeCount(object.headers.count, into: &out)
        for (name, value) in object.headers {
            try writeString(name, into: &out)
            try writeString(value, into: &out)
        }
    }

    private static func writeStrings(_ strings: [String], into out: inout ByteBuffer) throws(ObjectFileCodecError) {
        try writeCount(strings.count, into: &out)
        for string in strings { try writeString(string, into: &out) }
    }

    private static func writeString(_ string: String, into out: inout ByteBuffer) throws(ObjectFileCodecError) {
        try writeCount(string.utf8.count, into: &out)
        out.writeString(string)
    }

    private static func writeCount(_ count: Int, into out: inout ByteBuffer) throws(ObjectFileCodecError) {
        guard let value = UInt32(exactly: count), Int(value) <= maxMetadataLength else {
            throw .unencodable("length \(count) exceeds the metadata limit")
        }
        out.writeInteger(value, endianness: .big)
    }

    /// Appends the trailer: the SHA-256 of everything in `buffer` so far.
    static func appendChecksum(to buffer: inout ByteBuffer) {
        let digest = checksum(of: buffer, length: buffer.readableBytes)
        digest.withUnsafeBytes { _ = buffer.writeBytes($0) }
    }

    /// SHA-256 of the first `length` readable bytes, hashed in place (ByteBuffer is not a DataProtocol).
    private static func checksum(of bytes: ByteBuffer, length: Int) -> SHA256.Digest {
        bytes.withUnsafeReadableBytes { raw in
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: raw.prefix(length)))
            return hasher.finalize()
        }
    }

    // MARK: Decoding

    /// Reads the fixed header. Needs only its first `fixedHeaderLength` bytes.
    public static func layout(of bytes: ByteBuffer) throws(ObjectFileCodecError) -> Layout {
        var reader = bytes
        guard reader.readableBytes >= fixedHeaderLength else {
            throw .truncated(needed: fixedHeaderLength, available: reader.readableBytes)
        }
        guard let foundMagic = reader.readBytes(length: magic.count), foundMagic == magic else { throw .badMagic }
        guard let version = reader.readInteger(endianness: .big, as: UInt16.self),
              let metadataLength = reader.readInteger(endianness: .big, as: UInt32.self),
              let bodyLength = reader.readInteger(endianness: .big, as: UInt64.self)
        else { throw .truncated(needed: fixedHeaderLength, available: bytes.readableBytes) }
        guard version == currentVersion else { throw .unsupportedVersion(version) }
        guard Int(metadataLength) <= maxMetadataLength else {
            throw .lengthOverflow("metadata length \(metadataLength)")
        }
        // The total must stay representable: header + metadata + body + checksum <= Int.max.
        let fixed = fixedHeaderLength + Int(metadataLength) + checksumLength
        guard bodyLength <= UInt64(Int.max - fixed) else { throw .lengthOverflow("body length \(bodyLength)") }
        return Layout(metadataLength: Int(metadataLength), bodyLength: Int(bodyLength))
    }

    /// Decodes a whole file, verifying its length and checksum.
    public static func decode(_ bytes: ByteBuffer) throws(ObjectFileCodecError) -> CachedObject {
        let layout = try layout(of: bytes)
        guard bytes.readableBytes >= layout.totalLength else {
            throw .truncated(needed: layout.totalLength, available: bytes.readableBytes)
        }
        guard bytes.readableBytes == layout.totalLength else {
            throw .trailingBytes(expected: layout.totalLength, found: bytes.readableBytes)
        }
        let stored = bytes.readableBytesView.suffix(checksumLength)
        let computed = checksum(of: bytes, length: layout.bodyEnd)
        guard computed.withUnsafeBytes({ stored.elementsEqual($0) }) else { throw .checksumMismatch }

        let metadata = try parseMetadata(bytes, layout: layout)
        guard let body = bytes.getSlice(at: bytes.readerIndex + layout.metadataEnd, length: layout.bodyLength) else {
            throw .truncated(needed: layout.bodyEnd, available: bytes.readableBytes)
        }
        return metadata.makeObject(body: body)
    }

    public static func decode(_ bytes: [UInt8]) throws(ObjectFileCodecError) -> CachedObject {
        try decode(ByteBuffer(bytes: bytes))
    }

    /// Decodes only the metadata from the start of a file, for rebuilding an index without reading bodies.
    /// The checksum is not verified (it covers the body); callers compare `layout.totalLength` with the file size.
    public static func decodeMetadata(prefix: ByteBuffer) throws(ObjectFileCodecError) -> ObjectMetadata {
        let layout = try layout(of: prefix)
        guard prefix.readableBytes >= layout.metadataEnd else {
            throw .truncated(needed: layout.metadataEnd, available: prefix.readableBytes)
        }
        return try parseMetadata(prefix, layout: layout)
    }

    public static func decodeMetadata(prefix: [UInt8]) throws(ObjectFileCodecError) -> ObjectMetadata {
        try decodeMetadata(prefix: ByteBuffer(bytes: prefix))
    }

    private static func parseMetadata(_ bytes: ByteBuffer, layout: Layout) throws(ObjectFileCodecError) -> ObjectMetadata {
        guard var reader = bytes.getSlice(at: bytes.readerIndex + fixedHeaderLength, length: layout.metadataLength)
        else { throw .truncated(needed: layout.metadataEnd, available: bytes.readableBytes) }

        guard let status = reader.readInteger(endianness: .big, as: UInt16.self),
              let requestBits = reader.readInteger(endianness: .big, as: UInt64.self),
              let responseBits = reader.readInteger(endianness: .big, as: UInt64.self),
              let storedBits = reader.readInteger(endianness: .big, as: UInt64.self),
              let generation = reader.readInteger(endianness: .big, as: UInt64.self)
        else { throw .malformedMetadata("fixed fields cut short") }
        guard (100...999).contains(status) else { throw .malformedMetadata("status \(status)") }

        let primaryKey = try readString(&reader, what: "primary key")
        let variantKey = try readString(&reader, what: "variant key")
        let varyFields = try readStrings(&reader, what: "vary field")
        let tags = try readStrings(&reader, what: "tag")
        let headerCount = try readCount(&reader, minimumEntryBytes: 8, what: "header")
        var headers = HTTPHeaders()
        for _ in 0..<headerCount {
            let name = try readString(&reader, what: "header name")
            let value = try readString(&reader, what: "header value")
            headers.add(name: name, value: value)
        }
        guard reader.readableBytes == 0 else {
            throw .malformedMetadata("\(reader.readableBytes) unread bytes after the headers")
        }
        return ObjectMetadata(
            primaryKey: primaryKey,
            variantKey: variantKey,
            varyFields: varyFields,
            status: Int(status),
            headers: headers,
            requestTime: Double(bitPattern: requestBits),
            responseTime: Double(bitPattern: responseBits),
            storedAt: Double(bitPattern: storedBits),
            tags: tags,
            generation: generation,
            layout: layout
        )
    }

    /// Reads a count and checks it against what the remaining bytes could hold, so a damaged count fails at once
    /// instead of driving a long loop.
    private static func readCount(
        _ reader: inout ByteBuffer, minimumEntryBytes: Int, what: String
    ) throws(ObjectFileCodecError) -> Int {
        guard let count = reader.readInteger(endianness: .big, as: UInt32.self) else {
            throw .malformedMetadata("\(what) count cut short")
        }
        guard Int(count) <= reader.readableBytes / minimumEntryBytes else {
            throw .lengthOverflow("\(what) count \(count) with \(reader.readableBytes) bytes left")
        }
        return Int(count)
    }

    private static func readStrings(_ reader: inout ByteBuffer, what: String) throws(ObjectFileCodecError) -> [String] {
        let count = try readCount(&reader, minimumEntryBytes: 4, what: what)
        var strings: [String] = []
        strings.reserveCapacity(count)
        for _ in 0..<count { strings.append(try readString(&reader, what: what)) }
        return strings
    }

    private static func readString(_ reader: inout ByteBuffer, what: String) throws(ObjectFileCodecError) -> String {
        guard let length = reader.readInteger(endianness: .big, as: UInt32.self) else {
            throw .malformedMetadata("\(what) length cut short")
        }
        guard Int(length) <= reader.readableBytes, let bytes = reader.readSlice(length: Int(length)) else {
            throw .lengthOverflow("\(what) length \(length) with \(reader.readableBytes) bytes left")
        }
        let view = bytes.readableBytesView
        let string = String(decoding: view, as: UTF8.self)
        // String(decoding:) repairs invalid UTF-8; a repaired string differs from the bytes, which we refuse.
        guard string.utf8.elementsEqual(view) else { throw .malformedMetadata("\(what) is not valid UTF-8") }
        return string
    }
}

/// Why bytes could not be decoded as a cached object (or an object could not be encoded).
public enum ObjectFileCodecError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(needed: Int, available: Int)
    case badMagic
    case unsupportedVersion(UInt16)
    case lengthOverflow(String)
    case trailingBytes(expected: Int, found: Int)
    case checksumMismatch
    case malformedMetadata(String)
    case unencodable(String)

    public var description: String {
        switch self {
        case .truncated(let needed, let available): "truncated: need \(needed) bytes, have \(available)"
        case .badMagic: "not an edge cache object (bad magic)"
        case .unsupportedVersion(let version): "unsupported format version \(version)"
        case .lengthOverflow(let detail): "length field out of range: \(detail)"
        case .trailingBytes(let expected, let found): "expected \(expected) bytes, found \(found)"
        case .checksumMismatch: "checksum mismatch"
        case .malformedMetadata(let detail): "malformed metadata: \(detail)"
        case .unencodable(let detail): "cannot encode: \(detail)"
        }
    }
}
