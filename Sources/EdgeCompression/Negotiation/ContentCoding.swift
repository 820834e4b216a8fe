import EdgeCore

/// A content coding this node can produce or undo (RFC 9110 §8.4.1).
///
/// Only the codings the edge actually implements are cases; any other token in a request or response
/// (`deflate`, `zstd`, `compress`, ...) is kept as text by ``AcceptEncoding`` and never mapped here, so a
/// coding we cannot decode is never mistaken for one we can.
public enum ContentCoding: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case brotli = "br"
    case gzip = "gzip"
    case identity = "identity"

    /// Parses a coding token case-insensitively. `x-gzip` is gzip (RFC 9110 §8.4.1.3 asks recipients to treat
    /// them as equivalent); surrounding whitespace is ignored. `nil` for any coding we do not implement.
    public init?(token: some StringProtocol) {
        switch String(token).lowercased().trimmingSpaces() {
        case "br": self = .brotli
        case "gzip", "x-gzip": self = .gzip
        case "identity": self = .identity
        default: return nil
        }
    }

    /// The token to send in `Content-Encoding` (and to key cache variants by).
    public var token: String { rawValue }

    public var description: String { rawValue }

    /// Server preference when a client weighs several codings equally: brotli is smaller than gzip at a
    /// similar decoding cost, and any compression beats none. Higher is preferred.
    public var preferenceRank: Int {
        switch self {
        case .brotli: 2
        case .gzip: 1
        case .identity: 0
        }
    }
}
