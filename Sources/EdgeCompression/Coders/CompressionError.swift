/// Why encoding or decoding failed. Every malformed input ends here, never in a crash, so the proxy can
/// drop a broken upstream body or fall back to identity with a clear log line.
public enum CompressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A level, window or size outside its range (from settings or a caller).
    case invalidParameter(String)
    /// The native library could not allocate its state.
    case outOfMemory(ContentCoding)
    /// The compressed input is not valid for the coding; `detail` is the library's own message.
    case corruptInput(ContentCoding, detail: String)
    /// The input ended before the compressed stream did (a cut-off upstream body).
    case truncatedInput(ContentCoding)
    /// Bytes follow the end of the compressed stream.
    case trailingData(ContentCoding)
    /// Decoding would produce more than the caller's cap: a decompression bomb, or simply a body larger
    /// than the caller is willing to hold.
    case outputLimitExceeded(limit: Int)
    /// `process` after `finish`.
    case alreadyFinished
    /// An earlier error left this coder's native state unusable; start a new one.
    case streamFailed
    /// The library reported a state it should never reach (a bug here or there, not bad input).
    case internalError(ContentCoding, detail: String)

    public var description: String {
        switch self {
        case .invalidParameter(let message): "invalid compression parameter: \(message)"
        case .outOfMemory(let coding): "\(coding): could not allocate encoder/decoder state"
        case .corruptInput(let coding, let detail): "\(coding): corrupt compressed input (\(detail))"
        case .truncatedInput(let coding): "\(coding): compressed input ends before the end of the stream"
        case .trailingData(let coding): "\(coding): unexpected bytes after the end of the compressed stream"
        case .outputLimitExceeded(let limit): "decoded output exceeds the limit of \(limit) bytes"
        case .alreadyFinished: "the stream was already finished"
        case .streamFailed: "an earlier error left this coder unusable"
        case .internalError(let coding, let detail): "\(coding): internal error (\(detail))"
        }
    }
}
