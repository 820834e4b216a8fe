import EdgeCore
/// A request target reduced to the path segments the origin may look up under its root.
///
/// Decoding happens before the `..` check on purpose: `%2e%2e` and `..%2f` are the classic ways past a check done
/// on the raw text. A decoded `/` (from `%2f`) separates segments like a literal one, so `..%2f` is still a `..`.
struct RequestPath: Equatable, Sendable {
    /// Non-empty, never `.` or `..`, never containing `/` or NUL.
    var segments: [String]
    /// `/css/` rather than `/css`: kept so the normalised path reads back as the client wrote it.
    var hasTrailingSlash: Bool

    /// `/` plus the segments: the path rules match and counts are keyed by.
    var normalized: String {
        guard !segments.isEmpty else { return "/" }
        return "/" + segments.joined(separator: "/") + (hasTrailingSlash ? "/" : "")
    }

    /// Parses an origin-form request target (`/a/b?query`); the query is ignored.
    static func parse(target: String) -> Result<RequestPath, RequestPathError> {
        let path = target.prefix { $0 != "?" && $0 != "#" }
        guard path.hasPrefix("/") else { return .failure(.notOriginForm) }
        guard let bytes = PercentEncoding.decodeBytes(path) else { return .failure(.badPercentEncoding) }
        if bytes.contains(0) { return .failure(.nulByte) }
        // Decoding repairs invalid UTF-8 with U+FFFD, so a changed round trip means the bytes were not UTF-8.
        let decoded = String(decoding: bytes, as: UTF8.self)
        guard decoded.utf8.elementsEqual(bytes) else { return .failure(.notUTF8) }
        var segments: [String] = []
        for segment in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == ".." { return .failure(.parentSegment) }
            if segment == "." { continue }
            segments.append(String(segment))
        }
        return .success(RequestPath(segments: segments, hasTrailingSlash: decoded.hasSuffix("/")))
    }
}

/// Why a request target was refused before touching the file system; all answer 400.
enum RequestPathError: Error, Equatable, Sendable {
    case notOriginForm
    case badPercentEncoding
    case notUTF8
    case nulByte
    case parentSegment

    var reason: String {
        switch self {
        case .notOriginForm: return "the request target must start with /"
        case .badPercentEncoding: return "malformed percent-encoding in the path"
        case .notUTF8: return "the decoded path is not UTF-8"
        case .nulByte: return "the path contains a NUL byte"
        case .parentSegment: return "the path contains a .. segment"
        }
    }
}
