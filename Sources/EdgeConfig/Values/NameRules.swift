/// Names of nodes and origins end up in file paths (`var/cache/<node>`), log lines and the Cache-Status header,
/// so they are restricted to characters that are safe in all three.
enum NameRules {
    static let description = "a name of letters, digits, '-', '_' and '.' (at most 64, starting with a letter or digit)"

    static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64,
              isAlphanumeric(first) else { return false }
        return name.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    /// Cache-Status (RFC 9211) carries the cache name as a structured-field token or string; allowing only visible
    /// ASCII without delimiters keeps it valid as either.
    static let cacheNameDescription = "visible ASCII without spaces, quotes, backslashes, ',', ';' or '='"

    static func isValidCacheName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.count <= 128 && name.unicodeScalars.allSatisfy { scalar in
            (0x21...0x7E).contains(scalar.value) && !"\"\\,;=".unicodeScalars.contains(scalar)
        }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": return true
        default: return false
        }
    }
}
