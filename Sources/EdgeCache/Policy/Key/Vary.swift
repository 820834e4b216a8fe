import EdgeCore
import NIOHTTP1

/// Secondary cache keys: which variant of a primary key a request selects.
public enum Vary {
    /// Reads every Vary line of a response.
    public static func fieldNames(_ responseHeaders: HTTPHeaders) -> VaryFields {
        var names: Set<String> = []
        for member in FieldList.members(of: responseHeaders["vary"]) {
            if member == "*" { return .any }
            // A member that is not a field name cannot be matched against a request; read as "*" would make
            // a typo uncacheable, ignoring it is what browsers and CDNs do.
            guard HTTPToken.isToken(member) else { continue }
            names.insert(member.lowercased())
        }
        return names.isEmpty ? .none : .fields(names.sorted())
    }

    /// A stable string of the request's values for `fields`, so that requests that §4.1 deems equivalent share
    /// a variant: "" without fields; otherwise one `name=value` line per field in sorted name order, or just
    /// `name` when the request lacks the field (absent and empty are different, §4.1).
    ///
    /// Values are normalised: lines combined with ", ", list members trimmed, runs of whitespace collapsed, and
    /// Accept-Encoding's codings lowercased and sorted (`gzip, br` equals `BR,gzip`). Control characters become
    /// spaces so a key never contains a line break.
    public static func secondaryKey(fields: [String], request: HTTPHeaders) -> String {
        let names = Set(fields.map { $0.lowercased() }).sorted()
        var parts: [String] = []
        parts.reserveCapacity(names.count)
        for name in names {
            let lines = request[name]
            if lines.isEmpty {
                parts.append(name)
            } else {
                parts.append(name + "=" + normalisedValue(name: name, lines: lines))
            }
        }
        return parts.joined(separator: "\n")
    }

    static func normalisedValue(name: String, lines: [String]) -> String {
        let members = FieldList.members(of: lines).map { collapseWhitespace($0) }
        if name == "accept-encoding" {
            let codings = members.map { $0.filter { $0 != " " }.lowercased() }
            return preferredCoding(codings) ?? Array(Set(codings)).sorted().joined(separator: ", ")
        }
        if name == "accept-language" {
            return normalisedLanguages(members) ?? members.joined(separator: ", ")
        }
        return members.joined(separator: ", ")
    }

    /// Accept-Language in one canonical spelling, so `en-US,fr;q=0.8` and `fr; q=0.80, EN-us` share a variant:
    /// language ranges are case-insensitive (RFC 4647 §2), whitespace around parameters means nothing, and q-values
    /// are numbers, so members are lowercased, stripped of spaces, written with the shortest q (`q=1` omitted)
    /// and ordered by descending q. Members of equal q keep the client's order, which some servers read as a
    /// preference (RFC 9110 §12.5.4). `nil` for a malformed q-value: the raw list is the key then.
    static func normalisedLanguages(_ members: [String]) -> String? {
        var ranked: [(range: String, q: Double)] = []
        for member in members {
            let compact = member.filter { $0 != " " }.lowercased()
            let parts = compact.split(separator: ";", omittingEmptySubsequences: true)
            guard let range = parts.first, !range.isEmpty else { continue }
            var q = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                guard let value = Double(parameter.dropFirst(2)), (0...1).contains(value) else { return nil }
                q = value
            }
            ranked.append((String(range), q))
        }
        // A stable sort: Swift's `sort` is not guaranteed stable, so sort indices and break ties by position.
        let order = ranked.indices.sorted { ranked[$0].q != ranked[$1].q ? ranked[$0].q > ranked[$1].q : $0 < $1 }
        return order.map { index in
            let (range, q) = ranked[index]
            return q == 1 ? range : range + ";q=" + shortestDecimal(q)
        }.joined(separator: ",")
    }

    /// `0.8` for 0.80, `0` for 0.000: at most three decimals, as the q grammar allows (RFC 9110 §12.4.2).
    private static func shortestDecimal(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        var text = "0." + String(thousandths).leftPadded(to: 3)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// The coding a CDN tier picks for this Accept-Encoding (highest q; ties prefer br, then gzip, then
    /// identity); codings no tier serves (deflate, zstd, …) are ignored. Clients that differ only in how they
    /// spell the same preference share one stored variant, as Varnish normalises the header. Cache fills send
    /// upstream only this coding (`ForwardingHeaders`), so a stored body is never in a coding the key does not
    /// say. `nil` for a malformed q-value (the raw list is the key then).
    public static func preferredCoding(acceptEncoding lines: [String]) -> String? {
        preferredCoding(FieldList.members(of: lines).map { collapseWhitespace($0).filter { $0 != " " }.lowercased() })
    }

    static func preferredCoding(_ members: [String]) -> String? {
        var weights: [String: Double] = [:]
        for member in members where !member.isEmpty {
            let parts = member.split(separator: ";")
            guard var token = parts.first.map(String.init) else { continue }
            if token == "x-gzip" { token = "gzip" }
            guard ["br", "gzip", "identity", "*"].contains(token) else { continue }
            var q = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                guard let value = Double(parameter.dropFirst(2)), (0...1).contains(value) else { return nil }
                q = value
            }
            if weights[token] == nil { weights[token] = q }
        }
        func weight(_ coding: String) -> Double {
            if let q = weights[coding] { return q }
            if let star = weights["*"] { return star }
            return coding == "identity" ? 0.001 : 0  // identity stays acceptable unless refused
        }
        var best = "identity"
        for coding in ["gzip", "br"] where weight(coding) > 0 && weight(coding) >= weight(best) {
            best = coding
        }
        return best
    }

    private static func collapseWhitespace(_ text: Substring) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar == " " {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
