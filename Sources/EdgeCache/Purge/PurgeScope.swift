/// What a purge covers, stated in terms of the cache's own keys so every node and tier matches it the same way.
///
/// `url` and `prefix` carry normalised primary keys (`http://host/path?query`, see `CacheKey`), not the text an
/// operator typed: the admin endpoint normalises once, and relays the normalised form, so two nodes can never
/// disagree about what a purge matched. A URL purge covers every variant stored under the primary key (all Vary
/// variants and all encodings), because they share it.
public enum PurgeScope: Sendable, Hashable, CustomStringConvertible {
    /// Exactly one primary key, with all its variants.
    case url(String)
    /// Every primary key starting with this text.
    case prefix(String)
    /// Every object whose `Surrogate-Key` / `Cache-Tag` included this tag.
    case tag(String)
    /// Everything.
    case all

    /// The scope's kind as written in JSON bodies and the ledger file: `url`, `prefix`, `tag` or `all`.
    public var kind: String {
        switch self {
        case .url: "url"
        case .prefix: "prefix"
        case .tag: "tag"
        case .all: "all"
        }
    }

    /// The key, prefix or tag; `nil` for `all`.
    public var value: String? {
        switch self {
        case .url(let key), .prefix(let key): key
        case .tag(let tag): tag
        case .all: nil
        }
    }

    /// Rebuilds a scope from `kind` and `value` (the inverse of the two properties above).
    public init?(kind: String, value: String?) {
        switch (kind, value) {
        case ("url", let value?): self = .url(value)
        case ("prefix", let value?): self = .prefix(value)
        case ("tag", let value?): self = .tag(value)
        case ("all", nil): self = .all
        default: return nil
        }
    }

    /// Whether an object with this primary key and these tags falls under the scope.
    public func matches(primaryKey: String, tags: [String]) -> Bool {
        switch self {
        case .url(let key): primaryKey == key
        case .prefix(let prefix): primaryKey.utf8.starts(with: prefix.utf8)
        case .tag(let tag): tags.contains(tag)
        case .all: true
        }
    }

    public var description: String {
        value.map { "\(kind) \($0)" } ?? kind
    }
}
