import EdgeCore
import NIOCore
import NIOHTTP1

/// One stored response: what both tiers hold and what the disk codec writes.
///
/// A class with only `let` properties, so tiers, the hit path and background refreshes share one instance
/// without copying headers or body, and it is `Sendable` without locks. The derived values (`storageKey`,
/// `byteCost`, validators) are computed once at creation because the hit path reads them on every request.
public final class CachedObject: Sendable {
    /// The cache key without Vary (scheme, host, normalised path and query): the part of `storageKey` before
    /// its newline. Computed, so the key text is held once per object (`storageKey`) rather than three times;
    /// a key longer than 15 bytes costs a heap block, and the memory tier holds many small objects. Reading it
    /// makes a string (a copy when longer than 15 bytes): the store, purge and disk paths do, the hit path
    /// looks objects up by storage key instead. `primaryKeyPart` is the copy-free view.
    public var primaryKey: String { String(primaryKeyPart) }
    /// The request's values for the Vary fields; "" when the response has no Vary. Computed like `primaryKey`.
    public var variantKey: String { String(variantKeyPart) }
    /// `primaryKey` as a view into `storageKey`, without a copy.
    public var primaryKeyPart: Substring {
        storageKey[..<storageKey.utf8.index(storageKey.utf8.startIndex, offsetBy: primaryKeyLength)]
    }
    /// `variantKey` as a view into `storageKey`, without a copy.
    public var variantKeyPart: Substring {
        storageKey[storageKey.utf8.index(storageKey.utf8.startIndex, offsetBy: primaryKeyLength + 1)...]
    }
    /// Whether the object has no variant key (the response had no Vary), without making a string.
    public var hasEmptyVariantKey: Bool { storageKey.utf8.count == primaryKeyLength + 1 }
    /// UTF-8 length of the primary key at the start of `storageKey`.
    private let primaryKeyLength: Int
    /// The response's Vary field names (lowercased), needed to compute `variantKey` for the next request.
    public let varyFields: [String]
    public let status: Int
    public let headers: HTTPHeaders
    /// The body, when it is in memory; empty when it is read from its disk file as it is sent (`fileBody`).
    public let body: ByteBuffer
    /// The body left in its disk file (a disk hit on an object too large for the memory tier); nil when `body`
    /// holds it. Such an object never enters the memory tier.
    public let fileBody: FileBody?
    /// The body's length, wherever it is.
    public var bodyLength: Int { fileBody?.length ?? body.readableBytes }
    /// Seconds since the epoch when the request that produced this response was sent (RFC 9111 §4.2.3).
    public let requestTime: Double
    /// Seconds since the epoch when that response was received.
    public let responseTime: Double
    /// Seconds since the epoch when the object entered the cache; orders the disk index after a restart.
    public let storedAt: Double
    /// Purge tags from Surrogate-Key / Cache-Tag.
    public let tags: [String]
    /// Purge generation the object was stored under; a purge bumps the generation to invalidate older objects.
    public let generation: UInt64
    /// Facts derived from the headers on first use (freshness, delivery template); never persisted.
    public let memo = ObjectMemo()

    /// The key both tiers index by: one entry per (primary key, variant). The only copy of the key text the
    /// object holds; the tiers' maps and the LRU index share its storage (Swift strings are reference-counted
    /// buffers), so an object's key costs one heap block however many indexes name it.
    public let storageKey: String
    /// The memory the object pins while cached, as the memory tier charges it against `memory_size`: the body's
    /// storage, header and key text, and measured per-object and per-field overheads (see
    /// `fixedOverheadBytes`).
    public let byteCost: Int
    public let etag: EntityTag?
    /// `Last-Modified` in seconds since the epoch, when present and a valid HTTP-date.
    public let lastModified: Int64?

    /// Per-object memory beyond the text and body counted byte by byte: this instance and its memo, the header
    /// array's storage, the body's storage object and malloc's rounding, and the memory tier's entries for the
    /// object (object map, LRU node and slot; a variant-index entry only for objects with a variant key; the key
    /// text's heap header; hash tables at their usual load factor).
    ///
    /// Measured, not guessed: a debug `edge run` with memory_size = 256 MiB (no eviction) and the disk tier
    /// off, filled with 20,000 distinct 150-byte objects from the dev origin (keys of about 45 bytes), grew
    /// VmRSS by 1,830 B per object once the key was held once (`storageKey`), plain objects left out of the
    /// variant index and the LRU's links halved (2,205 B before); with this constant and `perFieldOverheadBytes`
    /// the tier charges about 2,010 B per such object (110 %, leaving room for the delivery template a hit
    /// adds). Re-measure with `EDGE_MEMORY_CALIBRATE=1 swift test --filter MemoryBoundTests`, which fails
    /// below 90 %.
    public static let fixedOverheadBytes = 704
    /// Per header field beyond its name and value bytes: the array element (two `String`s, 32 B), the same
    /// again in the delivery template the first hit builds (`ObjectMemo`), and a heap block for each string
    /// longer than 15 bytes (Swift's small-string limit) with malloc's header and rounding.
    public static let perFieldOverheadBytes = 96

    public init(
        primaryKey: String,
        variantKey: String = "",
        varyFields: [String] = [],
        status: Int,
        headers: HTTPHeaders,
        body: ByteBuffer,
        requestTime: Double,
        responseTime: Double,
        storedAt: Double,
        tags: [String] = [],
        generation: UInt64 = 0,
        fileBody: FileBody? = nil
    ) {
        self.fileBody = fileBody
        self.primaryKeyLength = primaryKey.utf8.count
        self.varyFields = varyFields
        self.status = status
        self.headers = headers
        let storedBody = Self.compacted(body)
        self.body = storedBody
        self.requestTime = requestTime
        self.responseTime = responseTime
        self.storedAt = storedAt
        self.tags = tags
        self.generation = generation

        self.storageKey = Self.storageKey(primaryKey: primaryKey, variantKey: variantKey)
        // The key text once (see `storageKey`); its heap block's header and rounding are in the fixed overhead.
        var cost = Self.fixedOverheadBytes + storedBody.storageCapacity + storageKey.utf8.count
        // Each field's text is held twice: the stored field and, once the object is hit, its template's
        // serialized copy (`name: value\r\n`, the bytes a hit writes).
        for (name, value) in headers {
            cost += 2 * (name.utf8.count + value.utf8.count) + 4 + Self.perFieldOverheadBytes
        }
        for field in varyFields { cost += field.utf8.count + 16 }
        for tag in tags { cost += tag.utf8.count + 16 }
        self.byteCost = cost
        self.etag = headers.first(name: "etag").flatMap { EntityTag(parsing: Substring($0)) }
        self.lastModified = headers.first(name: "last-modified").flatMap { HTTPDate.parse($0) }
    }

    /// `body` in storage of its own size. A body that arrived in one read is a slice of the connection's read
    /// buffer, and one read from disk a slice of the whole file: kept as is, a 150-byte object would pin the
    /// whole buffer. A copy gets the smallest storage NIO allocates for its size (a power of two), so a body
    /// already in such storage is left as it is.
    static func compacted(_ body: ByteBuffer) -> ByteBuffer {
        guard body.storageCapacity > storageSize(for: body.readableBytes) else { return body }
        var copy = ByteBufferAllocator().buffer(capacity: body.readableBytes)
        copy.writeImmutableBuffer(body)
        return copy
    }

    /// The storage NIO allocates for `bytes`: the next power of two.
    static func storageSize(for bytes: Int) -> Int {
        bytes <= 1 ? bytes : 1 << (Int.bitWidth - (bytes - 1).leadingZeroBitCount)
    }

    /// The storage key for a primary key and variant. A newline cannot occur in either part (both come from
    /// request lines and field values, where it is forbidden), so the join is unambiguous.
    /// Built in storage of its exact size: chained `+` may leave the growth slack of the intermediate string in a
    /// key that stays in memory as long as the object.
    public static func storageKey(primaryKey: String, variantKey: String) -> String {
        var key = String()
        key.reserveCapacity(primaryKey.utf8.count + 1 + variantKey.utf8.count)
        key.append(primaryKey)
        key.append("\n")
        key.append(variantKey)
        return key
    }

    /// A copy with the headers and fetch times of a 304 revalidation, sharing the body. `storedAt` stays unless
    /// given, since the body has been in the cache since then.
    public func replacing(
        headers: HTTPHeaders,
        requestTime: Double,
        responseTime: Double,
        storedAt: Double? = nil,
        generation: UInt64? = nil
    ) -> CachedObject {
        CachedObject(
            primaryKey: primaryKey,
            variantKey: variantKey,
            varyFields: varyFields,
            status: status,
            headers: headers,
            body: body,
            requestTime: requestTime,
            responseTime: responseTime,
            storedAt: storedAt ?? self.storedAt,
            tags: tags,
            generation: generation ?? self.generation,
            fileBody: fileBody
        )
    }
}
