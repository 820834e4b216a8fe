import EdgeCore
import NIOCore
import NIOHTTP1

/// One stored response: what both tiers hold and what the disk codec writes.
///
/// A class with only `let` properties, so tiers, the hit path and background refreshes share one instance
/// without copying headers or body, and it is `Sendable` without locks. The derived values (`storageKey`,
/// `byteCost`, validators) are computed once at creation because the hit path reads them on every request.
public final class CachedObject: Sendable {
    /// The cache key without Vary (scheme, host, normalised path and query).
    public let primaryKey: String
    /// The request's values for the Vary fields; "" when the response has no Vary.
    public let variantKey: String
    /// The response's Vary field names (lowercased), needed to compute `variantKey` for the next request.
    public let varyFields: [String]
    public let status: Int
    public let headers: HTTPHeaders
    public let body: ByteBuffer
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

    /// The key both tiers index by: one entry per (primary key, variant).
    public let storageKey: String
    /// Approximate memory the object pins: body, headers, keys and a fixed overhead for the object itself.
    public let byteCost: Int
    public let etag: EntityTag?
    /// `Last-Modified` in seconds since the epoch, when present and a valid HTTP-date.
    public let lastModified: Int64?

    /// Per-object overhead beyond the counted bytes: the instance, the header storage, dictionary slots.
    public static let fixedOverheadBytes = 256

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
        generation: UInt64 = 0
    ) {
        self.primaryKey = primaryKey
        self.variantKey = variantKey
        self.varyFields = varyFields
        self.status = status
        self.headers = headers
        self.body = body
        self.requestTime = requestTime
        self.responseTime = responseTime
        self.storedAt = storedAt
        self.tags = tags
        self.generation = generation

        self.storageKey = Self.storageKey(primaryKey: primaryKey, variantKey: variantKey)
        var cost = Self.fixedOverheadBytes + body.readableBytes + primaryKey.utf8.count + variantKey.utf8.count
        for (name, value) in headers { cost += name.utf8.count + value.utf8.count + 4 }
        for field in varyFields { cost += field.utf8.count + 16 }
        for tag in tags { cost += tag.utf8.count + 16 }
        self.byteCost = cost
        self.etag = headers.first(name: "etag").flatMap { EntityTag(parsing: Substring($0)) }
        self.lastModified = headers.first(name: "last-modified").flatMap { HTTPDate.parse($0) }
    }

    /// The storage key for a primary key and variant. A newline cannot occur in either part (both come from
    /// request lines and field values, where it is forbidden), so the join is unambiguous.
    public static func storageKey(primaryKey: String, variantKey: String) -> String {
        primaryKey + "\n" + variantKey
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
            generation: generation ?? self.generation
        )
    }
}
