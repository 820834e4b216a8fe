import NIOCore
import NIOHTTP1

/// Everything about a stored object except its body, as read from the front of its file. The disk tier
/// rebuilds its index from these so a restart does not read every body.
public struct ObjectMetadata: Sendable {
    public var primaryKey: String
    public var variantKey: String
    public var varyFields: [String]
    public var status: Int
    public var headers: HTTPHeaders
    public var requestTime: Double
    public var responseTime: Double
    public var storedAt: Double
    public var tags: [String]
    public var generation: UInt64
    /// Where the parts of the file lie; `layout.totalLength` is the size a complete file must have.
    public var layout: ObjectFileCodec.Layout

    public var storageKey: String { CachedObject.storageKey(primaryKey: primaryKey, variantKey: variantKey) }

    func makeObject(body: ByteBuffer, fileBody: FileBody? = nil) -> CachedObject {
        CachedObject(
            primaryKey: primaryKey,
            variantKey: variantKey,
            varyFields: varyFields,
            status: status,
            headers: headers,
            body: body,
            requestTime: requestTime,
            responseTime: responseTime,
            storedAt: storedAt,
            tags: tags,
            generation: generation,
            fileBody: fileBody
        )
    }
}
