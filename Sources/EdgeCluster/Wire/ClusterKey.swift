import Crypto

/// The shared secret every packet is authenticated under. Nodes with another key cannot join, and their
/// packets are dropped as `badMAC`.
public struct ClusterKey: Sendable {
    // Raw bytes rather than `SymmetricKey`, which is not `Sendable` on every platform.
    let bytes: [UInt8]

    var symmetricKey: SymmetricKey { SymmetricKey(data: bytes) }

    /// Shortest secret accepted: 16 bytes, so that the HMAC is not the weak point.
    public static let minimumSecretBytes = 16

    /// Uses the UTF-8 bytes of a secret from config (HMAC accepts any key length).
    public init(secret: String) throws(ClusterKeyError) {
        try self.init(bytes: Array(secret.utf8))
    }

    public init(bytes: [UInt8]) throws(ClusterKeyError) {
        guard bytes.count >= Self.minimumSecretBytes else { throw ClusterKeyError(length: bytes.count) }
        self.bytes = bytes
    }
}

public struct ClusterKeyError: Error, Hashable, Sendable, CustomStringConvertible {
    public let length: Int

    public init(length: Int) { self.length = length }

    public var description: String {
        "cluster key is \(length) bytes; at least \(ClusterKey.minimumSecretBytes) are required"
    }
}
