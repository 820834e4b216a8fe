import EdgeCore

/// A parsed `Accept-Encoding` field (RFC 9110 §12.5.3) and the choice of a content coding from it.
///
/// Parsing never fails: a member that does not follow the grammar (a bad token, a `q` outside 0...1 or with
/// more than three decimals) is dropped and the rest still counts, because one odd entry from a proxy or an
/// old client should not cost the user compression, and no input may crash the node.
public struct AcceptEncoding: Sendable, Equatable {
    /// One `coding;q=...` member as the client sent it.
    public struct Member: Sendable, Equatable {
        /// The coding token, lowercased; `*` for "any other coding". Unknown codings (`deflate`, `zstd`) are
        /// kept so that `*` is not applied to them and `identity` is only implied when the client says so.
        public let token: String
        public let q: QValue
        /// The coding this member names, `x-gzip` read as gzip; `nil` for `*` and for codings we lack.
        public let coding: ContentCoding?

        public init(token: String, q: QValue) {
            self.token = token.lowercased()
            self.q = q
            self.coding = ContentCoding(token: token)
        }
    }

    /// Well-formed members in field order.
    public let members: [Member]

    public init(members: [Member]) { self.members = members }

    /// Parses a field value. Several `Accept-Encoding` lines must be joined with ", " first (RFC 9110 §5.3).
    public init(parsing fieldValue: String) {
        var parsed: [Member] = []
        for rawMember in FieldList.members(of: Substring(fieldValue)) {
            if let member = Self.parseMember(rawMember) { parsed.append(member) }
        }
        members = parsed
    }

    /// How much the client wants `coding`, or `nil` when it refuses it.
    ///
    /// The first member naming the coding decides (duplicates after it are ignored, as nginx does); otherwise
    /// `*` decides. A coding the client neither names nor covers with `*` is not acceptable, except
    /// `identity`, which is acceptable by default (§12.5.3) with weight zero: least preferred, so that
    /// `br;q=0.1` still wins over an identity the client never asked for.
    public func weight(of coding: ContentCoding) -> QValue? {
        var wildcard: QValue?
        for member in members {
            if member.token == "*" {
                if wildcard == nil { wildcard = member.q }
            } else if member.coding == coding {
                return member.q.isZero ? nil : member.q
            }
        }
        if let wildcard { return wildcard.isZero ? nil : wildcard }
        return coding == .identity ? .zero : nil
    }

    /// The acceptable coding among `available` with the highest weight; ties go to br, then gzip, then
    /// identity. `nil` when the client accepts none of them: the caller then serves identity anyway, since
    /// a 406 for a cacheable page helps nobody (RFC 9110 §12.5.3 allows ignoring the field).
    public func preferredCoding(among available: [ContentCoding]) -> ContentCoding? {
        var best: (coding: ContentCoding, weight: QValue)?
        for coding in available {
            guard let weight = weight(of: coding) else { continue }
            if let current = best {
                if weight > current.weight
                    || (weight == current.weight && coding.preferenceRank > current.coding.preferenceRank)
                {
                    best = (coding, weight)
                }
            } else {
                best = (coding, weight)
            }
        }
        return best?.coding
    }

    /// Chooses the coding to send for a request's `Accept-Encoding` value.
    ///
    /// - `nil` (no field): identity. RFC 9110 would allow any coding, but browsers always send the field and
    ///   clients that omit it (scripts, health checks, old proxies) often cannot decode, so nginx, Apache and
    ///   the big CDNs send identity; so do we.
    /// - `""` (empty field): identity only (§12.5.3).
    /// - otherwise: ``preferredCoding(among:)``.
    ///
    /// Only codings in `available` are returned; `nil` means none of them is acceptable.
    public static func negotiate(accept: String?, available: [ContentCoding]) -> ContentCoding? {
        guard let accept else { return available.contains(.identity) ? .identity : nil }
        return AcceptEncoding(parsing: accept).preferredCoding(among: available)
    }

    private static func parseMember(_ text: Substring) -> Member? {
        var parts = text.split(separator: ";", omittingEmptySubsequences: false).makeIterator()
        guard let rawToken = parts.next() else { return nil }
        let token = rawToken.trimmingSpaces()
        guard token == "*" || isToken(token) else { return nil }
        var q = QValue.one
        var sawQ = false
        while let rawParameter = parts.next() {
            let parameter = rawParameter.trimmingSpaces()
            if parameter.isEmpty { continue }
            guard let equals = parameter.firstIndex(of: "=") else { continue }
            let name = parameter[..<equals].trimmingSpaces()
            guard name == "q" || name == "Q" else { continue }  // other parameters are not defined: ignored
            guard !sawQ else { continue }
            sawQ = true
            guard let value = QValue(parsing: parameter[parameter.index(after: equals)...].trimmingSpaces()) else {
                return nil
            }
            q = value
        }
        return Member(token: String(token), q: q)
    }

    /// RFC 9110 §5.6.2 token characters.
    static func isToken(_ text: Substring) -> Bool {
        guard !text.isEmpty else { return false }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                continue
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
                UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                continue
            default:
                return false
            }
        }
        return true
    }
}
