/// Which request paths a rule applies to.
///
/// Only three shapes exist on purpose: they cover what a demo site needs and keep the meaning of a rules file
/// obvious at a glance, unlike globs or regular expressions.
public enum PathPattern: Equatable, Sendable, CustomStringConvertible {
    /// `/index.html`: this path only.
    case exact(String)
    /// `/api/*`: every path that starts with `/api/` (not `/api` itself). Stored without the `*`.
    case prefix(String)
    /// `*.css`: every path that ends with `.css`. Stored without the `*`.
    case suffix(String)
    /// `*`: every path.
    case any

    /// Parses one pattern as written in a rules file; `nil` for anything that is not one of the four shapes.
    public init?(parsing text: String) {
        if text == "*" {
            self = .any
            return
        }
        let stars = text.filter { $0 == "*" }.count
        if stars == 0 {
            guard text.hasPrefix("/") else { return nil }
            self = .exact(text)
        } else if stars == 1, text.hasPrefix("/"), text.hasSuffix("/*") {
            self = .prefix(String(text.dropLast()))
        } else if stars == 1, text.hasPrefix("*"), text.count > 1 {
            self = .suffix(String(text.dropFirst()))
        } else {
            return nil
        }
    }

    public func matches(_ path: String) -> Bool {
        switch self {
        case .exact(let exact): return path == exact
        case .prefix(let prefix): return path.hasPrefix(prefix)
        case .suffix(let suffix): return path.hasSuffix(suffix)
        case .any: return true
        }
    }

    public var description: String {
        switch self {
        case .exact(let exact): return exact
        case .prefix(let prefix): return prefix + "*"
        case .suffix(let suffix): return "*" + suffix
        case .any: return "*"
        }
    }
}
