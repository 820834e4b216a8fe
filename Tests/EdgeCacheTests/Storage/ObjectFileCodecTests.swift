import EdgeCore
import NIOCore
import NIOHTTP1
import Testing
@testable import EdgeCache

@Suite("ObjectFileCodec")
struct ObjectFileCodecTests {
    private func sample(bodySize: Int = 16) -> CachedObject {
        CachedObject(
            primaryKey: "https://example.com/caf%C3%A9?q=1",
            variantKey: "gzip, br",
            varyFields: ["accept-encoding"],
            status: 203,
            headers: HTTPHeaders([
                ("Content-Type", "text/html; charset=utf-8"),
                ("Set-Cookie", "a=1"),
                ("set-cookie", "b=2"),
                ("ETag", "W/\"x\""),
                ("X-Unicode", "naïve ☃"),
                ("X-Empty", ""),
            ]),
            body: ByteBuffer(bytes: (0..<bodySize).map { UInt8(truncatingIfNeeded: $0 &* 37) }),
            requestTime: 1_700_000_000.25,
            responseTime: 1_700_000_001.5,
            storedAt: 1_700_000_002.75,
            tags: ["product-1", "catalogue"],
            generation: 7
        )
    }

    private func headerLines(_ headers: HTTPHeaders) -> [String] { headers.map { "\($0.name): \($0.value)" } }

    private func encoded(_ object: CachedObject) throws -> [UInt8] { try ObjectFileCodec.encode(object) }

    @Test func roundTripKeepsEveryField() throws {
        let object = sample()
        let bytes = try encoded(object)
        let decoded = try ObjectFileCodec.decode(bytes)
        #expect(decoded.primaryKey == object.primaryKey)
        #expect(decoded.variantKey == object.variantKey)
        #expect(decoded.varyFields == object.varyFields)
        #expect(decoded.status == 203)
        #expect(headerLines(decoded.headers) == headerLines(object.headers))
        #expect(decoded.bodyBytes == object.bodyBytes)
        #expect(decoded.requestTime == object.requestTime)
        #expect(decoded.responseTime == object.responseTime)
        #expect(decoded.storedAt == object.storedAt)
        #expect(decoded.tags == object.tags)
        #expect(decoded.generation == 7)
        #expect(decoded.storageKey == object.storageKey)
        #expect(decoded.etag == EntityTag(opaque: "x", isWeak: true))
    }

    @Test func roundTripWithEmptyBodyAndNoMetadataLists() throws {
        let object = CachedObject(primaryKey: "http://a/", status: 204, headers: HTTPHeaders(), body: ByteBuffer(),
                                  requestTime: 0, responseTime: 0, storedAt: 0)
        let decoded = try ObjectFileCodec.decode(try encoded(object))
        #expect(decoded.body.readableBytes == 0)
        #expect(decoded.headers.count == 0)
        #expect(decoded.varyFields.isEmpty)
        #expect(decoded.tags.isEmpty)
        #expect(decoded.variantKey == "")
    }

    @Test func layoutDescribesTheEncoding() throws {
        let object = sample(bodySize: 1000)
        let buffer: ByteBuffer = try ObjectFileCodec.encode(object)
        let layout = try ObjectFileCodec.layout(of: buffer)
        #expect(layout.bodyLength == 1000)
        #expect(layout.totalLength == buffer.readableBytes)
        #expect(Array(buffer.readableBytesView.prefix(4)) == Array("EDGC".utf8))
    }

    @Test func metadataDecodesFromAPrefixWithoutTheBody() throws {
        let object = sample(bodySize: 5000)
        let bytes = try encoded(object)
        let layout = try ObjectFileCodec.layout(of: ByteBuffer(bytes: bytes))
        let metadata = try ObjectFileCodec.decodeMetadata(prefix: Array(bytes.prefix(layout.metadataEnd)))
        #expect(metadata.storageKey == object.storageKey)
        #expect(metadata.varyFields == ["accept-encoding"])
        #expect(metadata.tags == ["product-1", "catalogue"])
        #expect(metadata.status == 203)
        #expect(metadata.storedAt == object.storedAt)
        #expect(headerLines(metadata.headers) == headerLines(object.headers))
        #expect(metadata.layout.totalLength == bytes.count)

        #expect(throws: ObjectFileCodecError.truncated(needed: layout.metadataEnd, available: layout.metadataEnd - 1)) {
            try ObjectFileCodec.decodeMetadata(prefix: Array(bytes.prefix(layout.metadataEnd - 1)))
        }
    }

    @Test func everyTruncationIsRejected() throws {
        let bytes = try encoded(sample())
        for length in 0..<bytes.count {
            #expect(throws: ObjectFileCodecError.self, "length \(length)") {
                try ObjectFileCodec.decode(Array(bytes.prefix(length)))
            }
        }
    }

    @Test func everyFlippedByteIsRejected() throws {
        let bytes = try encoded(sample())
        for position in bytes.indices {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = bytes
                damaged[position] ^= mask
                #expect(throws: ObjectFileCodecError.self, "byte \(position) ^ \(mask)") {
                    try ObjectFileCodec.decode(damaged)
                }
            }
        }
    }

    @Test func flippedBodyByteIsAChecksumMismatch() throws {
        var bytes = try encoded(sample())
        bytes[bytes.count - ObjectFileCodec.checksumLength - 1] ^= 0x10
        #expect(throws: ObjectFileCodecError.checksumMismatch) { try ObjectFileCodec.decode(bytes) }
    }

    @Test func wrongMagicAndVersion() throws {
        let bytes = try encoded(sample())
        var magic = bytes
        magic[0] = UInt8(ascii: "X")
        #expect(throws: ObjectFileCodecError.badMagic) { try ObjectFileCodec.decode(magic) }
        #expect(throws: ObjectFileCodecError.badMagic) { try ObjectFileCodec.decodeMetadata(prefix: magic) }

        var version = bytes
        version[4] = 0
        version[5] = 2
        #expect(throws: ObjectFileCodecError.unsupportedVersion(2)) { try ObjectFileCodec.decode(version) }
    }

    @Test func hugeLengthFieldsAreRejected() throws {
        let bytes = try encoded(sample())
        var metadataLength = bytes
        for offset in 6..<10 { metadataLength[offset] = 0xFF }
        #expect(throws: ObjectFileCodecError.self) { try ObjectFileCodec.decode(metadataLength) }
        #expect(throws: ObjectFileCodecError.self) { try ObjectFileCodec.decodeMetadata(prefix: metadataLength) }

        var bodyLength = bytes
        for offset in 10..<18 { bodyLength[offset] = 0xFF }
        #expect(throws: ObjectFileCodecError.lengthOverflow("body length \(UInt64.max)")) {
            try ObjectFileCodec.decode(bodyLength)
        }

        // Large but representable: a truncation, not an attempt to allocate or read it.
        var large = bytes
        for offset in 10..<18 { large[offset] = 0 }
        large[12] = 1  // 2^40 bytes
        #expect(throws: ObjectFileCodecError.self) { try ObjectFileCodec.decode(large) }
    }

    @Test func trailingBytesAreRejected() throws {
        let bytes = try encoded(sample())
        #expect(throws: ObjectFileCodecError.trailingBytes(expected: bytes.count, found: bytes.count + 1)) {
            try ObjectFileCodec.decode(bytes + [0])
        }
    }

    // MARK: Metadata that passes the checksum but is malformed

    /// Frames `metadata` with a valid header and checksum, so only the metadata parser can reject it.
    private func sealed(metadata: [UInt8], body: [UInt8] = []) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeBytes(ObjectFileCodec.magic)
        buffer.writeInteger(ObjectFileCodec.currentVersion, endianness: .big)
        buffer.writeInteger(UInt32(metadata.count), endianness: .big)
        buffer.writeInteger(UInt64(body.count), endianness: .big)
        buffer.writeBytes(metadata)
        buffer.writeBytes(body)
        ObjectFileCodec.appendChecksum(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    private func fixedFields(status: UInt16 = 200) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(status, endianness: .big)
        for _ in 0..<4 { buffer.writeInteger(UInt64(0), endianness: .big) }
        return Array(buffer.readableBytesView)
    }

    private func string(_ bytes: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(bytes.count), endianness: .big)
        buffer.writeBytes(bytes)
        return Array(buffer.readableBytesView)
    }

    private func count(_ value: UInt32) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(value, endianness: .big)
        return Array(buffer.readableBytesView)
    }

    private var emptyLists: [UInt8] { count(0) + count(0) + count(0) }

    @Test func wellFormedHandBuiltMetadataDecodes() throws {
        let bytes = sealed(metadata: fixedFields() + string(Array("k".utf8)) + string([]) + emptyLists, body: [1, 2])
        let object = try ObjectFileCodec.decode(bytes)
        #expect(object.primaryKey == "k")
        #expect(object.bodyBytes == [1, 2])
    }

    @Test func malformedMetadataWithValidChecksumIsRejected() {
        let key = string(Array("k".utf8))
        let cases: [(String, [UInt8])] = [
            ("fixed fields cut short", Array(fixedFields().prefix(10))),
            ("status out of range", fixedFields(status: 42) + key + string([]) + emptyLists),
            ("string longer than metadata", fixedFields() + count(1_000_000) + Array("k".utf8)),
            ("invalid UTF-8", fixedFields() + string([0xC3, 0x28]) + string([]) + emptyLists),
            ("huge vary count", fixedFields() + key + string([]) + count(UInt32.max) + count(0) + count(0)),
            ("huge header count", fixedFields() + key + string([]) + count(0) + count(0) + count(UInt32.max)),
            ("header value missing", fixedFields() + key + string([]) + count(0) + count(0) + count(1) + string([0x61])),
            ("unread bytes", fixedFields() + key + string([]) + emptyLists + [0]),
            ("lists missing", fixedFields() + key + string([])),
        ]
        for (name, metadata) in cases {
            #expect(throws: ObjectFileCodecError.self, "\(name)") { try ObjectFileCodec.decode(sealed(metadata: metadata)) }
            #expect(throws: ObjectFileCodecError.self, "\(name)") {
                try ObjectFileCodec.decodeMetadata(prefix: sealed(metadata: metadata))
            }
        }
    }

    // MARK: Arbitrary bytes

    @Test func randomBytesNeverDecode() {
        var generator = SplitMix64(state: 7)
        let header = ObjectFileCodec.magic + [0, 1]
        for round in 0..<3_000 {
            let length = Int.random(in: 0..<300, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round.isMultiple(of: 2) { bytes = header + bytes }
            #expect(throws: ObjectFileCodecError.self) { try ObjectFileCodec.decode(bytes) }
        }
    }

    /// Mutated metadata resealed with a valid checksum reaches the metadata parser: whatever it makes of the
    /// bytes, it must answer with a decoded object or a codec error, never a crash.
    @Test func resealedMutationsDecodeOrThrowCleanly() throws {
        var generator = SplitMix64(state: 99)
        let bytes = try encoded(sample())
        let layout = try ObjectFileCodec.layout(of: ByteBuffer(bytes: bytes))
        let metadata = Array(bytes[ObjectFileCodec.fixedHeaderLength..<layout.metadataEnd])
        let body = Array(bytes[layout.metadataEnd..<layout.bodyEnd])
        var rejected = 0
        for _ in 0..<2_000 {
            var mutated = metadata
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: mutated.indices, using: &generator)
                mutated[position] = UInt8.random(in: 0...255, using: &generator)
            }
            do {
                _ = try ObjectFileCodec.decode(sealed(metadata: mutated, body: body))
            } catch {
                rejected += 1
            }
        }
        #expect(rejected > 0)
    }

    @Test func unencodableStatusThrows() {
        let object = CachedObject(primaryKey: "k", status: 70_000, headers: HTTPHeaders(), body: ByteBuffer(),
                                  requestTime: 0, responseTime: 0, storedAt: 0)
        #expect(throws: ObjectFileCodecError.self) { let _: [UInt8] = try ObjectFileCodec.encode(object) }
    }
}
