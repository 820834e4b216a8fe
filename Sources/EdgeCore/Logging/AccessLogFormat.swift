/// The shape of an access log line: nginx's combined format with cache fields, one JSON object per line, or an
/// operator's template of `$variables` (nginx's `log_format`, varnishncsa's `-F`).
///
/// The grammar and the variable names live here, in the pure core, so `edge check-config` rejects an unknown
/// variable with file:line:key before a node starts, and the node renders exactly what was checked.
public enum AccessLogFormat: Sendable, Equatable {
    case combined
    case json
    case template([Piece])

    public enum Piece: Sendable, Equatable {
        case literal(String)
        case variable(Variable)
    }

    /// Every value a line can carry.
    public enum Variable: String, Sendable, CaseIterable {
        case remoteAddr = "remote_addr"
        case timeLocal = "time_local"
        case timeISO8601 = "time_iso8601"
        case request
        case method
        case uri
        case `protocol`
        case status
        case bytesSent = "bytes_sent"
        case httpReferer = "http_referer"
        case httpUserAgent = "http_user_agent"
        case host
        case cache
        case tier
        case upstreamAddr = "upstream_addr"
        case upstreamStatus = "upstream_status"
        case upstreamTime = "upstream_time"
        case requestTime = "request_time"
        case requestID = "request_id"
    }

    /// Why a format was refused: the message names what is wrong.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// `combined`, `json`, or a template such as `$remote_addr $host "$request" $status $cache $request_id`.
    /// A `$` must start a known variable (`$$` is a literal dollar); a template without any variable is refused
    /// as a likely typo of a format name.
    public static func parse(_ text: String) throws(ParseError) -> AccessLogFormat {
        switch text {
        case "combined": return .combined
        case "json": return .json
        default: break
        }
        var pieces: [Piece] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "$" else {
                literal.append(character)
                index = text.index(after: index)
                continue
            }
            let nameStart = text.index(after: index)
            if nameStart < text.endIndex, text[nameStart] == "$" {
                literal.append("$")
                index = text.index(after: nameStart)
                continue
            }
            let nameEnd = text[nameStart...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? text.endIndex
            let name = String(text[nameStart..<nameEnd])
            guard let variable = Variable(rawValue: name) else {
                let known = Variable.allCases.map { "$" + $0.rawValue }.joined(separator: ", ")
                throw ParseError(description: "unknown variable \"$\(name)\" (known: \(known))")
            }
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = ""
            pieces.append(.variable(variable))
            index = nameEnd
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        guard pieces.contains(where: { if case .variable = $0 { return true } else { return false } }) else {
            throw ParseError(description: "expected \"combined\", \"json\" or a template with $variables, got \"\(text)\"")
        }
        return .template(pieces)
    }
}
