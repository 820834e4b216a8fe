import EdgeCore

/// Decides whether a response gets a compressed variant. Pure: it looks only at the status, the method,
/// the response fields and the body length, so the proxy can call it for misses, revalidations and
/// background recompression alike, and the rules are tested without a server.
public struct CompressionPolicy: Sendable {
    public var settings: CompressionSettings

    public init(settings: CompressionSettings = CompressionSettings()) {
        self.settings = settings
    }

    /// - Parameters:
    ///   - status: the response status code.
    ///   - method: the request method (`GET`, `HEAD`, ...), case-sensitive as methods are.
    ///   - responseHeaders: the origin's response fields; NIOHTTP1's `HTTPHeaders` can be passed as is.
    ///   - bodyLength: the body length when known; `nil` falls back to `Content-Length`, and an unknown
    ///     length (chunked upstream) compresses, since such bodies are usually the large ones.
    public func decide(
        status: Int,
        method: String,
        responseHeaders: some Sequence<(name: String, value: String)>,
        bodyLength: Int?
    ) -> CompressionDecision {
        guard settings.enabled else { return .skip(.disabled) }
        guard method == "GET" || method == "HEAD" else { return .skip(.method) }
        guard status == 200 else { return .skip(.status) }
        for coding in FieldList.members(named: "content-encoding", in: responseHeaders)
        where !coding.equalsLowercased("identity") {
            return .skip(.alreadyEncoded)
        }
        for directive in FieldList.members(named: "cache-control", in: responseHeaders) {
            let name = directive.prefix { $0 != "=" }.trimmingSpaces()
            if name.equalsLowercased("no-transform") { return .skip(.noTransform) }
        }
        let contentType = FieldList.first(named: "content-type", in: responseHeaders).map(String.init)
        guard isCompressible(contentType: contentType) else { return .skip(.contentType) }
        let length = bodyLength ?? FieldList.first(named: "content-length", in: responseHeaders).flatMap { Int($0) }
        if let length, length < settings.minimumBodyBytes || length == 0 { return .skip(.tooSmall) }
        return .compress
    }

    /// Whether a `Content-Type` value is in the configured list (parameters and case ignored). A missing or
    /// malformed type is not compressible: guessing could corrupt a binary download.
    public func isCompressible(contentType: String?) -> Bool {
        guard let contentType, let (type, subtype) = MediaTypePattern.split(Substring(contentType)) else {
            return false
        }
        return settings.mediaTypes.contains { $0.matches(type: type, subtype: subtype) }
    }
}
