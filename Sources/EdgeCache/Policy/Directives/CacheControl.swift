import EdgeCore
import NIOHTTP1

/// The directives of one or more Cache-Control (or CDN-Cache-Control, RFC 9213) field lines, request or response.
///
/// Parsing never fails: unknown directives are ignored (§5.2.3), and malformed arguments are resolved toward the
/// most restrictive reading, because a cache that guesses "fresher" than the origin meant can serve wrong content,
/// while one that guesses "staler" only costs a revalidation:
/// - an invalid `max-age` / `s-maxage` / `stale-*` argument counts as 0 (§4.2.1 encourages treating invalid
///   freshness information as stale);
/// - a duplicated argument keeps the most restrictive value (smallest age limit, largest `min-fresh`);
/// - an invalid `min-fresh` / `max-stale` argument is ignored, which again asks for the fresher response.
public struct CacheControl: Equatable, Sendable {
    /// `max-stale` on a request: any staleness, or at most some seconds of it.
    public enum MaxStale: Equatable, Sendable {
        case any
        case seconds(Int)

        /// Whether a response that has been stale for `staleness` seconds is acceptable.
        public func permits(staleness: Double) -> Bool {
            switch self {
            case .any: return true
            case .seconds(let limit): return staleness <= Double(limit)
            }
        }
    }

    public var maxAge: Int?
    public var sMaxAge: Int?
    public var noStore = false
    /// The unqualified `no-cache` (or a qualified one with an empty list, read as unqualified).
    public var noCache = false
    /// Lowercased field names of the qualified form `no-cache="Set-Cookie"`.
    public var noCacheFields: [String] = []
    /// The unqualified `private` (or a qualified one with an empty list).
    public var isPrivate = false
    /// Lowercased field names of the qualified form `private="Set-Cookie"`.
    public var privateFields: [String] = []
    public var isPublic = false
    public var mustRevalidate = false
    public var proxyRevalidate = false
    public var noTransform = false
    public var immutable = false
    public var mustUnderstand = false
    public var staleWhileRevalidate: Int?
    public var staleIfError: Int?
    public var maxStale: MaxStale?
    public var minFresh: Int?
    public var onlyIfCached = false
    /// Whether any directive (known or not) was present: RFC 9213 falls back to Cache-Control when a targeted
    /// field has no usable value.
    public internal(set) var isEmpty = true

    public init() {}

    /// Parses every line of `field` in `headers` (names compared case-insensitively).
    public init(headers: HTTPHeaders, field: String = "cache-control") {
        self.init()
        for member in FieldList.members(of: headers[field]) { apply(member) }
    }

    /// Parses one field value, e.g. `max-age=60, no-cache="Set-Cookie"`.
    public init(value: String) {
        self.init()
        for member in FieldList.members(of: Substring(value)) { apply(member) }
    }

    private mutating func apply(_ member: Substring) {
        let name: String
        let argument: String?
        if let equals = member.firstIndex(of: "=") {
            name = member[..<equals].trimmingSpaces().lowercased()
            argument = FieldList.unquote(member[member.index(after: equals)...].trimmingSpaces())
        } else {
            name = member.lowercased()
            argument = nil
        }
        guard HTTPToken.isToken(Substring(name)) else { return }
        isEmpty = false
        switch name {
        case "max-age": maxAge = Self.restrictive(maxAge, Self.ageLimit(argument))
        case "s-maxage": sMaxAge = Self.restrictive(sMaxAge, Self.ageLimit(argument))
        case "stale-while-revalidate":
            staleWhileRevalidate = Self.restrictive(staleWhileRevalidate, Self.ageLimit(argument))
        case "stale-if-error": staleIfError = Self.restrictive(staleIfError, Self.ageLimit(argument))
        case "min-fresh":
            if let value = argument.flatMap(DeltaSeconds.parse) { minFresh = max(minFresh ?? 0, value) }
        case "max-stale": applyMaxStale(argument)
        case "no-store": noStore = true
        case "no-cache":
            let fields = Self.fieldNames(argument)
            if fields.isEmpty { noCache = true } else { noCacheFields = Self.union(noCacheFields, fields) }
        case "private":
            let fields = Self.fieldNames(argument)
            if fields.isEmpty { isPrivate = true } else { privateFields = Self.union(privateFields, fields) }
        case "public": isPublic = true
        case "must-revalidate": mustRevalidate = true
        case "proxy-revalidate": proxyRevalidate = true
        case "no-transform": noTransform = true
        case "immutable": immutable = true
        case "must-understand": mustUnderstand = true
        case "only-if-cached": onlyIfCached = true
        default: break
        }
    }

    private mutating func applyMaxStale(_ argument: String?) {
        guard let argument else {
            if maxStale == nil { maxStale = .any }
            return
        }
        guard let seconds = DeltaSeconds.parse(argument) else { return }
        switch maxStale {
        case .seconds(let existing): maxStale = .seconds(min(existing, seconds))
        case .any, nil: maxStale = .seconds(seconds)
        }
    }

    /// A missing or invalid argument of an age limit is 0: "treat as stale".
    private static func ageLimit(_ argument: String?) -> Int {
        argument.flatMap(DeltaSeconds.parse) ?? 0
    }

    private static func restrictive(_ existing: Int?, _ new: Int) -> Int {
        existing.map { min($0, new) } ?? new
    }

    /// The field names of a qualified `no-cache` / `private`; accepts the token form too.
    static func fieldNames(_ argument: String?) -> [String] {
        guard let argument else { return [] }
        return FieldList.members(of: Substring(argument))
            .filter { HTTPToken.isToken($0) }
            .map { $0.lowercased() }
    }

    static func union(_ existing: [String], _ new: [String]) -> [String] {
        var result = existing
        for name in new where !result.contains(name) { result.append(name) }
        return result
    }
}
