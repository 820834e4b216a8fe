/// Which configured certificate a TLS client hello's server name selects. Pure: no files, no TLS.
///
/// Exact names win over wildcards; a wildcard `*.example.com` covers exactly one label (`a.example.com`, not
/// `example.com` nor `a.b.example.com`, as RFC 6125 §6.4.3 has browsers check it). Without a match, or without
/// SNI at all, the default entry is chosen.
public struct SNIMatcher: Sendable, Equatable {
    /// Lower-cased name patterns per entry, in configuration order.
    public let entries: [[String]]
    public let defaultIndex: Int

    public init(entries: [[String]], defaultIndex: Int) {
        self.entries = entries.map { $0.map { $0.lowercased() } }
        self.defaultIndex = defaultIndex
    }

    /// The entry for `serverName` (nil: no SNI sent).
    public func select(_ serverName: String?) -> Int {
        match(serverName) ?? defaultIndex
    }

    /// The entry whose names cover `name` (case-insensitive, a trailing dot ignored; exact names before
    /// wildcards), or `nil` when none does: the same rules as `select` without the fallback to the default,
    /// for per-name settings that must not apply to names nobody configured (HTTPS redirects, HSTS).
    public func match(_ name: String?) -> Int? {
        guard var name = name?.lowercased(), !name.isEmpty else { return nil }
        if name.hasSuffix(".") { name.removeLast() }
        if let exact = entries.firstIndex(where: { $0.contains(name) }) { return exact }
        return entries.firstIndex(where: { $0.contains { Self.pattern($0, covers: name) } })
    }

    /// Whether `pattern` (a name or `*.suffix`) covers `name`; both lower-cased.
    public static func pattern(_ pattern: String, covers name: String) -> Bool {
        guard pattern.hasPrefix("*.") else { return pattern == name }
        let suffix = pattern.dropFirst(1)
        guard name.hasSuffix(suffix) else { return false }
        let label = name.dropLast(suffix.count)
        return !label.isEmpty && !label.contains(".")
    }
}
