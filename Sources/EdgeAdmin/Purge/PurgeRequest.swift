import EdgeCache
import Foundation

/// A `POST /purge` body, checked: exactly one scope, known keys only, sane values.
///
///     {"url": "http://www.cdn.test/a"}            one URL, all its variants
///     {"prefix": "http://www.cdn.test/img/"}      every URL starting with this
///     {"tag": "product-42"}                       every object tagged so by the origin
///     {"all": true}                               everything
///     ... plus "soft": true for a soft purge (mark stale instead of removing).
///
/// A relay from the coordinating node adds `"id"` and `"issued_at"` (and the header `Edge-Purge-Relay: <id>`),
/// so the receiver applies the coordinator's command unchanged and does not fan it out again.
public struct PurgeRequest: Sendable, Equatable {
    public enum Scope: Sendable, Equatable {
        case url(String), prefix(String), tag(String), all
    }

    public var scope: Scope
    public var mode: PurgeMode
    /// Set on relays only.
    public var id: String?
    public var issuedAt: Double?

    public init(scope: Scope, mode: PurgeMode, id: String? = nil, issuedAt: Double? = nil) {
        self.scope = scope
        self.mode = mode
        self.id = id
        self.issuedAt = issuedAt
    }

    /// Longest URL, prefix or tag accepted.
    static let maxValueBytes = 8192
    static let keys = ["url", "prefix", "tag", "all", "soft", "id", "issued_at"]

    /// Parses and checks a body; the error message is what the client gets in a 400.
    public static func parse(_ body: [UInt8]) throws(PurgeRequestError) -> PurgeRequest {
        guard !body.isEmpty else {
            throw PurgeRequestError("empty body; expected JSON such as {\"url\": \"http://host/path\"}")
        }
        let raw: RawBody
        do {
            raw = try AdminJSON.decode(RawBody.self, from: body)
        } catch let error as PurgeRequestError {
            throw error
        } catch let DecodingError.typeMismatch(_, context) {
            throw PurgeRequestError(Self.typeMessage(context))
        } catch let DecodingError.valueNotFound(_, context) {
            throw PurgeRequestError(Self.typeMessage(context))
        } catch {
            throw PurgeRequestError("body is not a JSON object; expected e.g. {\"url\": \"http://host/path\"}")
        }
        var scopes: [Scope] = []
        if let url = raw.url { scopes.append(.url(try value(url, "url"))) }
        if let prefix = raw.prefix { scopes.append(.prefix(try value(prefix, "prefix"))) }
        if let tag = raw.tag { scopes.append(.tag(try value(tag, "tag"))) }
        if raw.all == true { scopes.append(.all) }
        guard scopes.count == 1, let scope = scopes.first else {
            throw PurgeRequestError(scopes.isEmpty
                ? "no scope; give exactly one of url, prefix, tag or \"all\": true"
                : "more than one scope; give exactly one of url, prefix, tag or \"all\": true")
        }
        if let id = raw.id {
            guard (1...128).contains(id.utf8.count), id.utf8.allSatisfy(Self.isIDByte) else {
                throw PurgeRequestError("id must be 1-128 characters of letters, digits, '.', '_', ':' and '-'")
            }
        }
        if let issuedAt = raw.issuedAt, !(issuedAt.isFinite && issuedAt > 0) {
            throw PurgeRequestError("issued_at must be a positive number of seconds since the epoch")
        }
        return PurgeRequest(scope: scope, mode: raw.soft == true ? .soft : .hard, id: raw.id, issuedAt: raw.issuedAt)
    }

    /// The relay body for a command whose url/prefix are already primary keys.
    public static func relayBody(for command: PurgeCommand) -> [UInt8] {
        var raw = RawBody()
        switch command.scope {
        case .url(let key): raw.url = key
        case .prefix(let prefix): raw.prefix = prefix
        case .tag(let tag): raw.tag = tag
        case .all: raw.all = true
        }
        raw.soft = command.mode == .soft ? true : nil
        raw.id = command.id
        raw.issuedAt = command.issuedAt
        return (try? AdminJSON.encode(raw)) ?? []
    }

    private static func value(_ text: String, _ key: String) throws(PurgeRequestError) -> String {
        guard !text.isEmpty, text.utf8.count <= maxValueBytes else {
            throw PurgeRequestError("\(key) must be a non-empty string of at most \(maxValueBytes) bytes")
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw PurgeRequestError("\(key) must not contain control characters")
        }
        return text
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"),
             UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    private static func typeMessage(_ context: DecodingError.Context) -> String {
        let key = context.codingPath.last?.stringValue ?? "body"
        switch key {
        case "all", "soft": return "\(key) must be true or false"
        case "issued_at": return "issued_at must be a number"
        case "body": return "body is not a JSON object; expected e.g. {\"url\": \"http://host/path\"}"
        default: return "\(key) must be a string"
        }
    }

    /// The JSON as sent, before the checks above. Unknown keys are refused, so a typo (`"sfot": true`) is a
    /// 400 rather than a hard purge nobody asked for.
    struct RawBody: Codable {
        var url: String?
        var prefix: String?
        var tag: String?
        var all: Bool?
        var soft: Bool?
        var id: String?
        var issuedAt: Double?

        init() {}

        enum CodingKeys: String, CodingKey {
            case url, prefix, tag, all, soft, id
            case issuedAt = "issued_at"
        }

        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let all = try decoder.container(keyedBy: AnyKey.self)
            for key in all.allKeys where !PurgeRequest.keys.contains(key.stringValue) {
                throw PurgeRequestError("unknown key \"\(key.stringValue)\"; expected url, prefix, tag, all or soft")
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            url = try container.decodeIfPresent(String.self, forKey: .url)
            prefix = try container.decodeIfPresent(String.self, forKey: .prefix)
            tag = try container.decodeIfPresent(String.self, forKey: .tag)
            self.all = try container.decodeIfPresent(Bool.self, forKey: .all)
            soft = try container.decodeIfPresent(Bool.self, forKey: .soft)
            id = try container.decodeIfPresent(String.self, forKey: .id)
            issuedAt = try container.decodeIfPresent(Double.self, forKey: .issuedAt)
        }
    }
}

/// Why a purge body was refused; `message` goes to the client.
public struct PurgeRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
