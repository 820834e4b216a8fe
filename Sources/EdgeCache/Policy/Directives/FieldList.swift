import EdgeCore

/// Splitting of comma-separated field values (RFC 9110 §5.6.1) that respects quoted strings.
///
/// NIO's `subscript(canonicalForm:)` splits on every comma, which breaks `no-cache="a, b"`; cache directives,
/// Vary and Cache-Status all need a splitter that knows about quotes, so it lives here once.
enum FieldList {
    /// Members of all the given field lines, trimmed, empty members dropped, in order.
    static func members<S: Sequence>(of lines: S) -> [Substring] where S.Element == String {
        var result: [Substring] = []
        for line in lines { appendMembers(of: Substring(line), to: &result) }
        return result
    }

    static func members(of line: Substring) -> [Substring] {
        var result: [Substring] = []
        appendMembers(of: line, to: &result)
        return result
    }

    private static func appendMembers(of line: Substring, to result: inout [Substring]) {
        var start = line.startIndex
        var index = line.startIndex
        var inQuotes = false
        while index < line.endIndex {
            let character = line[index]
            if inQuotes {
                if character == "\\" {
                    // Skip the escaped character so an escaped quote does not end the string.
                    index = line.index(after: index)
                    if index == line.endIndex { break }
                } else if character == "\"" {
                    inQuotes = false
                }
            } else if character == "\"" {
                inQuotes = true
            } else if character == "," {
                let member = line[start..<index].trimmingSpaces()
                if !member.isEmpty { result.append(member) }
                start = line.index(after: index)
            }
            index = line.index(after: index)
        }
        let member = line[start...].trimmingSpaces()
        if !member.isEmpty { result.append(member) }
    }

    /// Removes the surrounding quotes and backslash escapes of a quoted-string; a bare token is returned as is.
    /// An unterminated quoted string yields what follows the opening quote, which is the lenient reading.
    static func unquote(_ text: Substring) -> String {
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

    /// Whether every character is an RFC 9110 `tchar`.
    static func isToken(_ text: Substring) -> Bool { HTTPToken.isToken(text) }
}
