/// Comma-separated field values (RFC 9110 §5.6.1) split with respect for quoted strings: the one list splitter.
///
/// NIO's `subscript(canonicalForm:)` and `split(separator: ",")` break on every comma, which cuts
/// `no-cache="a, b"`, `W/"x,y"` or `cdn; note="a,b"` in two. Cache directives, Vary, Cache-Status, ETag lists,
/// CDN-Loop, Accept-Encoding and the compression policy all need the quote-aware reading, so it lives here once.
public enum FieldList {
    /// Members of all the given field lines, trimmed, empty members dropped, in order.
    public static func members<S: Sequence>(of lines: S) -> [Substring] where S.Element == String {
        var result: [Substring] = []
        for line in lines { appendMembers(of: Substring(line), separator: UInt8(ascii: ","), to: &result) }
        return result
    }

    /// Members of one field line, trimmed, empty members dropped.
    public static func members(of line: Substring) -> [Substring] {
        var result: [Substring] = []
        appendMembers(of: line, separator: UInt8(ascii: ","), to: &result)
        return result
    }

    /// Pieces of `text` between `separator`s outside quoted strings, trimmed, empty pieces dropped: the
    /// parameters of a member (`cdn-id; node=a; tier=edge`) split on `;`.
    public static func pieces(of text: Substring, separatedBy separator: UInt8) -> [Substring] {
        var result: [Substring] = []
        appendMembers(of: text, separator: separator, to: &result)
        return result
    }

    /// Every member of every line named `name` (ASCII case-insensitive) of any `(name, value)` sequence, such as
    /// NIOHTTP1's `HTTPHeaders`, so modules without an HTTP stack read the same lists.
    public static func members(
        named name: String,
        in headers: some Sequence<(name: String, value: String)>
    ) -> [Substring] {
        var result: [Substring] = []
        for header in headers where header.name.caseInsensitiveEquals(name) {
            appendMembers(of: Substring(header.value), separator: UInt8(ascii: ","), to: &result)
        }
        return result
    }

    /// The first line named `name`, trimmed.
    public static func first(named name: String,
                             in headers: some Sequence<(name: String, value: String)>) -> Substring? {
        for header in headers where header.name.caseInsensitiveEquals(name) {
            return header.value.trimmingSpaces()
        }
        return nil
    }

    private static func appendMembers(of line: Substring, separator: UInt8, to result: inout [Substring]) {
        let bytes = line.utf8
        var start = bytes.startIndex
        var index = bytes.startIndex
        var inQuotes = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\\") {
                    // Skip the escaped character so an escaped quote does not end the string.
                    index = bytes.index(after: index)
                    if index == bytes.endIndex { break }
                } else if byte == UInt8(ascii: "\"") {
                    inQuotes = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inQuotes = true
            } else if byte == separator {
                let member = line[start..<index].trimmingSpaces()
                if !member.isEmpty { result.append(member) }
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        let member = line[start...].trimmingSpaces()
        if !member.isEmpty { result.append(member) }
    }

    /// Removes the surrounding quotes and backslash escapes of a quoted-string; a bare token is returned as is.
    /// An unterminated quoted string yields what follows the opening quote, which is the lenient reading.
    public static func unquote(_ text: Substring) -> String {
        guard text.first == "\"" else { return String(text) }
        var result = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if character == "\\" {
                index = text.index(after: index)
                if index < text.endIndex { result.append(text[index]) } else { break }
            } else if character == "\"" {
                break
            } else {
                result.append(character)
            }
            index = text.index(after: index)
        }
        return result
    }
}

extension String {
    /// ASCII case-insensitive comparison, as field names need (no allocation, unlike `lowercased()`).
    public func caseInsensitiveEquals(_ other: String) -> Bool {
        let lhs = utf8
        let rhs = other.utf8
        guard lhs.count == rhs.count else { return false }
        for (a, b) in zip(lhs, rhs) where a != b {
            guard asciiLowercased(a) == asciiLowercased(b) else { return false }
        }
        return true
    }
}

extension String {
    /// Whether the string starts with `lowercasePrefix` ignoring ASCII case (`lowercasePrefix` is lowercase).
    public func hasCaseInsensitivePrefix(_ lowercasePrefix: StaticString) -> Bool {
        let count = lowercasePrefix.utf8CodeUnitCount
        var bytes = utf8.makeIterator()
        for index in 0..<count {
            guard let byte = bytes.next(), asciiLowercased(byte) == lowercasePrefix.utf8Start[index] else {
                return false
            }
        }
        return true
    }
}

extension Substring {
    /// ASCII case-insensitive comparison with a lowercase literal.
    public func equalsLowercased(_ lowercase: String) -> Bool {
        String(self).caseInsensitiveEquals(lowercase)
    }
}

@inline(__always)
private func asciiLowercased(_ byte: UInt8) -> UInt8 {
    (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte + 32 : byte
}
