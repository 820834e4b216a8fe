import EdgeCache
import EdgeCompression
import EdgeCore
import NIOHTTP1

/// What a stored (or arriving) response is, as far as content codings go. Decided once per object (it is
/// kept in the delivery template) because every hit needs it.
enum BaseRepresentation: Sendable, Equatable {
    /// Never varies by coding: not compressible, too small, `no-transform`, or an error status.
    case plain
    /// An identity body the policy wants compressed: br and gzip variants are made from it.
    case compressible
    /// The origin already applied this coding: passed on to clients that accept it, decoded for the others.
    case encoded(ContentCoding)

    /// Whether responses of this representation differ by `Accept-Encoding`, and so must say `Vary` on it.
    var variesByCoding: Bool { self != .plain }

    /// The representation of a response. `bodyLength` is the stored body's length, or `nil` while it is still
    /// arriving (the policy then reads Content-Length). The request method does not matter: a HEAD gets the
    /// same head as a GET, and pass-through responses (POST and others) are compressed like GET responses.
    static func of(status: Int, headers: HTTPHeaders, bodyLength: Int?,
                   policy: CompressionPolicy) -> BaseRepresentation {
        switch policy.decide(status: status, method: "GET", responseHeaders: headers, bodyLength: bodyLength) {
        case .compress:
            return .compressible
        case .skip(.alreadyEncoded):
            // The policy looks at content codings before no-transform; decoding is a transformation too.
            if CacheControl(headers: headers).noTransform { return .plain }
            return singleKnownCoding(headers).map { .encoded($0) } ?? .plain
        case .skip:
            return .plain
        }
    }

    /// The one coding in Content-Encoding when it is one we can decode; stacked or unknown codings
    /// (`gzip, br`, `zstd`) are passed through untouched.
    static func singleKnownCoding(_ headers: HTTPHeaders) -> ContentCoding? {
        var found: ContentCoding?
        for token in FieldList.members(of: headers["content-encoding"]) {
            if token.lowercased() == "identity" { continue }
            guard found == nil, let coding = ContentCoding(token: token), coding != .identity else { return nil }
            found = coding
        }
        return found
    }
}
