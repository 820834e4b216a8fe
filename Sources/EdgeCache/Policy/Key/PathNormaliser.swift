import EdgeCore
/// Path normalisation for cache keys (RFC 3986 §6.2.2.2 and §5.2.4).
enum PathNormaliser {
    /// Decodes percent-encoded unreserved characters (`%7E` → `~`) and uppercases the hex digits of every other
    /// escape (`%2f` → `%2F`). `nil` when a "%" is not followed by two hex digits: such a path is malformed, and
    /// guessing a meaning for it could alias two different resources.
    static func normalisePercentEncoding(_ path: Substring) -> String? {
        let bytes = Array(path.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "%") else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 2 < bytes.count,
                  let high = PercentEncoding.hexValue(bytes[index + 1]), let low = PercentEncoding.hexValue(bytes[index + 2]) else { return nil }
            let decoded = high << 4 | low
            if URIText.isUnreserved(decoded) {
                output.append(decoded)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(PercentEncoding.upperHexDigit(high))
                output.append(PercentEncoding.upperHexDigit(low))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// remove_dot_segments from RFC 3986 §5.2.4, applied to an absolute path.
    static func removeDotSegments(_ path: String) -> String {
        var input = Substring(path)
        var output: [Substring] = []  // segments, each including its leading "/" when it had one
        while !input.isEmpty {
            if input.hasPrefix("../") {
                input = input.dropFirst(3)
            } else if input.hasPrefix("./") {
                input = input.dropFirst(2)
            } else if input.hasPrefix("/./") {
                input = input.dropFirst(2)
            } else if input == "/." {
                input = "/"
            } else if input.hasPrefix("/../") {
                input = input.dropFirst(3)
                if !output.isEmpty { output.removeLast() }
            } else if input == "/.." {
                input = "/"
                if !output.isEmpty { output.removeLast() }
            } else if input == "." || input == ".." {
                input = ""
            } else {
                // Move the first segment, with its leading "/" if any, up to the next "/".
                let searchStart = input.hasPrefix("/") ? input.index(after: input.startIndex) : input.startIndex
                let end = input[searchStart...].firstIndex(of: "/") ?? input.endIndex
                output.append(input[..<end])
                input = input[end...]
            }
        }
        return output.joined()
    }
}
