import EdgeCore

/// Reads list-valued fields out of any `(name, value)` sequence, so the policy works on NIOHTTP1's
/// `HTTPHeaders` (whose elements have exactly this shape) without this module depending on an HTTP stack.
enum HeaderFields {
    /// Every member of every line of `name` (case-insensitive), split on commas outside quoted strings,
    /// trimmed, empty members dropped (RFC 9110 §5.6.1).
    static func members(
        _ name: String,
        in headers: some Sequence<(name: String, value: String)>
    ) -> [Substring] {
        var result: [Substring] = []
        for header in headers where header.name.caseInsensitiveEquals(name) {
            var inQuotes = false
            var escaped = false
            var start = header.value.startIndex
            for index in header.value.indices {
                let character = header.value[index]
                if escaped {
                    escaped = false
                } else if inQuotes && character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inQuotes.toggle()
                } else if character == "," && !inQuotes {
                    append(header.value[start..<index], to: &result)
                    start = header.value.index(after: index)
                }
            }
            append(header.value[start...], to: &result)
        }
        return result
    }

    /// The first value of `name`, trimmed.
    static func first(_ name: String, in headers: some Sequence<(name: String, value: String)>) -> Substring? {
        for header in headers where header.name.caseInsensitiveEquals(name) {
            return header.value.trimmingSpaces()
        }
        return nil
    }

    private static func append(_ member: Substring, to result: inout [Substring]) {
        let trimmed = member.trimmingSpaces()
        if !trimmed.isEmpty { result.append(trimmed) }
    }
}

extension String {
    /// ASCII case-insensitive comparison, as field names need (no allocation, unlike `lowercased()`).
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let lhs = utf8
        let rhs = other.utf8
        guard lhs.count == rhs.count else { return false }
        for (a, b) in zip(lhs, rhs) where a != b {
            guard asciiLower(a) == asciiLower(b) else { return false }
        }
        return true
    }
}

private func asciiLower(_ byte: UInt8) -> UInt8 {
    (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte + 32 : byte
}

extension Substring {
    /// ASCII case-insensitive comparison with a lowercase literal.
    func equalsLowercased(_ lowercase: String) -> Bool {
        String(self).caseInsensitiveEquals(lowercase)
    }
}
