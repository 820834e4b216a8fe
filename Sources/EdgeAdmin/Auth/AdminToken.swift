import Crypto

/// The cluster's admin bearer token, kept only as its SHA-256 digest.
///
/// Comparing digests rather than the texts means the comparison always runs over 32 bytes, whatever was sent,
/// so its duration reveals neither the token's length nor how many leading bytes a guess got right.
public struct AdminToken: Sendable {
    /// Shorter secrets are refused: the token guards purge-everything on every node.
    public static let minimumLength = 16

    private let digest: [UInt8]
    /// Key for dashboard session cookies, derived so the cookie never holds the token itself.
    let sessionKeyBytes: [UInt8]

    var sessionKey: SymmetricKey { SymmetricKey(data: sessionKeyBytes) }

    /// `nil` when `secret` is shorter than `minimumLength` bytes.
    public init?(_ secret: String) {
        guard secret.utf8.count >= Self.minimumLength else { return nil }
        digest = Self.hash(Array(secret.utf8))
        sessionKeyBytes = Array(SHA256.hash(data: Array(("edge-admin-session\u{0}" + secret).utf8)))
    }

    /// Whether `presented` is the token, in time independent of its content.
    public func matches(_ presented: some Collection<UInt8>) -> Bool {
        Self.constantTimeEqual(digest, Self.hash(Array(presented)))
    }

    public func matches(_ presented: String) -> Bool {
        matches(presented.utf8)
    }

    /// Byte-wise equality that looks at every byte whatever it finds: the differences are OR-ed together and
    /// tested once at the end. Different lengths are unequal (callers compare fixed-length digests, so the
    /// early return leaks nothing).
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }

    static func hash(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }
}
