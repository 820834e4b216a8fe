import EdgeCache
import EdgeCompression
import EdgeCore
import NIOCore
import NIOHTTP1

/// Coded variants as stored objects: their keys and their heads.
///
/// A variant lives in the same store as its base, under the same primary key (so URL, prefix and tag purges
/// and Vary changes remove it with the base) and the base's variant key plus a coding suffix. The suffix starts
/// with U+0001, which `Vary.secondaryKey` never produces (it turns control characters into spaces), so a
/// variant key can never collide with a base's.
enum CodedVariants {
    static func variantKey(base variantKey: String, coding: ContentCoding) -> String {
        variantKey + "\u{1}" + coding.token
    }

    /// A variant of `base` holding `body` (already in `coding`). Its head is the base's with the coding's own
    /// Content-Encoding, Content-Length, weak ETag (``VariantValidators``) and `Vary: Accept-Encoding`; Accept-Ranges
    /// is dropped since ranges are served from the identity base. Fetch times, tags and generation are the
    /// base's, so freshness, purges and the purge ledger treat the two alike.
    static func make(from base: CachedObject, coding: ContentCoding, body: ByteBuffer, level: Int,
                     storedAt: Double) -> CachedObject {
        let stamp = VariantStamp(coding: coding, level: level, base: base)
        return CachedObject(
            primaryKey: base.primaryKey, variantKey: variantKey(base: base.variantKey, coding: coding),
            varyFields: base.varyFields, status: base.status, headers: headers(of: base, coding: coding, stamp: stamp,
                                                                               bodyLength: body.readableBytes),
            body: body, requestTime: base.requestTime, responseTime: base.responseTime, storedAt: storedAt,
            tags: base.tags, generation: base.generation)
    }

    /// The same variant body under `base`'s current headers (after the base was revalidated).
    static func refreshed(_ variant: CachedObject, stamp: VariantStamp, base: CachedObject,
                          storedAt: Double) -> CachedObject {
        make(from: base, coding: stamp.coding, body: variant.body, level: stamp.level, storedAt: storedAt)
    }

    static func headers(of base: CachedObject, coding: ContentCoding, stamp: VariantStamp,
                        bodyLength: Int) -> HTTPHeaders {
        var headers = base.headers
        applyCoding(coding, to: &headers, identityETag: base.etag)
        headers.replaceOrAdd(name: "content-length", value: String(bodyLength))
        headers.replaceOrAdd(name: VariantStamp.fieldName, value: stamp.fieldValue)
        return headers
    }

    /// Turns an identity head into `coding`'s: Content-Encoding, derived weak ETag, merged Vary, no
    /// Accept-Ranges, and no Content-Range (a stored 200 may carry one, but it counts identity bytes).
    /// Content-Length is the caller's (known for stored variants, absent while streaming).
    static func applyCoding(_ coding: ContentCoding, to headers: inout HTTPHeaders, identityETag: EntityTag?) {
        headers.replaceOrAdd(name: "content-encoding", value: coding.token)
        if let identityETag {
            headers.replaceOrAdd(name: "etag", value: VariantValidators.etag(for: coding, identity: identityETag)
                .description)
        } else {
            headers.remove(name: "etag")
        }
        headers.remove(name: "accept-ranges")
        headers.remove(name: "content-range")
        mergeVary(&headers)
    }

    /// Turns an encoded head into the decoded identity one. The origin's ETag names the encoded bytes, so it
    /// is dropped rather than reused for different bytes; Last-Modified still validates.
    static func applyDecoding(to headers: inout HTTPHeaders) {
        headers.remove(name: "content-encoding")
        headers.remove(name: "content-length")
        headers.remove(name: "etag")
        headers.remove(name: "accept-ranges")
        headers.remove(name: "content-range")
        mergeVary(&headers)
    }

    static func mergeVary(_ headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: "vary", value: VariantValidators.vary(merging: headers["vary"]))
    }
}
