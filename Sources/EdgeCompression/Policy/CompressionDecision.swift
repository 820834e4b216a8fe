/// Whether a response should get a compressed variant, and if not, why (for logs, metrics and tests).
public enum CompressionDecision: Sendable, Equatable {
    case compress
    case skip(SkipReason)

    public enum SkipReason: String, Sendable, Equatable, CustomStringConvertible {
        /// Compression is switched off in the settings.
        case disabled
        /// Only GET and HEAD responses are compressed (HEAD so that its headers match GET's).
        case method
        /// Only 200: 206 bodies are byte ranges of the identity representation, 204/304 have no body, and
        /// error pages are not worth a cached variant.
        case status
        /// The origin already applied a content coding; it is passed through or decoded, never stacked.
        case alreadyEncoded
        /// `Cache-Control: no-transform` forbids intermediaries from changing the content (RFC 9111 §5.2.2.6).
        case noTransform
        /// Missing or not in the compressible list (images, video, woff2 are already compressed).
        case contentType
        /// Known length below the configured minimum.
        case tooSmall

        public var description: String { rawValue }
    }

    public var shouldCompress: Bool { self == .compress }
}
