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
        return members.joined(separator: ", ")
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
