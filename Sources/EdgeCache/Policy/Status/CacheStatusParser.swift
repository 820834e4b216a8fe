/// A lenient reader of Cache-Status field values (RFC 9211 on RFC 8941 lists).
enum CacheStatusParser {
    static func parseList(_ value: String) -> [CacheStatusEntry] {
        FieldList.members(of: Substring(value)).compactMap { member in
            var scanner = Scanner(bytes: Array(member.utf8))
            return scanner.entry()
        }
    }

    /// A bare item (RFC 8941 §3.3) as far as Cache-Status needs one, with its serialised text for re-emission.
    enum Item: Equatable {
        case integer(Int)
        case string(String)
        case token(String)
        case boolean(Bool)
        /// Decimals and byte sequences: not used by Cache-Status, kept verbatim.
        case other
    }

    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index >= bytes.count }
        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpaces() {
            while let byte = current, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
        }

        /// One member: a token or string naming the cache, then parameters. `nil` when malformed.
        mutating func entry() -> CacheStatusEntry? {
            let name: String
            switch item() {
            case .token(let token)?: name = token
            case .string(let string)?: name = string
            default: return nil
            }
            var entry = CacheStatusEntry(cacheName: name)
            while true {
                skipSpaces()
                if atEnd { return entry }
                guard current == UInt8(ascii: ";") else { return nil }
                index += 1
                skipSpaces()
                guard let key = key() else { return nil }
                var value = Item.boolean(true)
                var raw: String?
                if current == UInt8(ascii: "=") {
                    index += 1
                    let start = index
                    guard let parsed = item() else { return nil }
                    value = parsed
                    raw = String(decoding: bytes[start..<index], as: UTF8.self)
                }
                apply(key: key, value: value, raw: raw, to: &entry)
            }
        }

        /// Known parameters with the wrong type are dropped; unknown ones are kept verbatim.
        private func apply(key: String, value: Item, raw: String?, to entry: inout CacheStatusEntry) {
            switch (key, value) {
            case ("hit", .boolean(let flag)): entry.hit = flag
            case ("stored", .boolean(let flag)): entry.stored = flag
            case ("collapsed", .boolean(let flag)): entry.collapsed = flag
            case ("fwd", .token(let token)): entry.fwd = .init(token: token)
            case ("fwd-status", .integer(let status)): entry.fwdStatus = status
            case ("ttl", .integer(let ttl)): entry.ttl = ttl
            case ("key", .string(let key)): entry.key = key
            case ("detail", .string(let text)), ("detail", .token(let text)): entry.detail = text
            case ("hit", _), ("stored", _), ("collapsed", _), ("fwd", _), ("fwd-status", _), ("ttl", _), ("key", _),
                 ("detail", _):
                break
            default:
                let stored = raw == "?1" ? nil : raw
                entry.extensions.removeAll { $0.name == key }
                entry.extensions.append(.init(name: key, value: stored))
            }
        }

        mutating func key() -> String? {
            let start = index
            guard let first = current, StructuredText.isLowerAlpha(first) || first == UInt8(ascii: "*") else {
                return nil
            }
            index += 1
            while let byte = current,
                  StructuredText.isLowerAlpha(byte) || URIText.isDigit(byte) || "_-.*".utf8.contains(byte) {
                index += 1
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func item() -> Item? {
            guard let first = current else { return nil }
            switch first {
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "?"): return boolean()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
            case UInt8(ascii: ":"): return byteSequence()
            default:
                guard URIText.isAlpha(first) || first == UInt8(ascii: "*") else { return nil }
                return token()
            }
        }

        private mutating func string() -> Item? {
            index += 1
            var result: [UInt8] = []
            while let byte = current {
                index += 1
                switch byte {
                case UInt8(ascii: "\\"):
                    guard let escaped = current, escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                        return nil
                    }
                    result.append(escaped)
                    index += 1
                case UInt8(ascii: "\""):
                    return .string(String(decoding: result, as: UTF8.self))
                case 0x20...0x7E:
                    result.append(byte)
                default:
                    return nil
                }
            }
            return nil  // unterminated
        }

        private mutating func token() -> Item {
            let start = index
            index += 1
            while let byte = current,
                  FieldList.isTokenByte(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "/") {
                index += 1
            }
            return .token(String(decoding: bytes[start..<index], as: UTF8.self))
        }

        private mutating func boolean() -> Item? {
            index += 1
            guard let byte = current else { return nil }
            index += 1
            switch byte {
            case UInt8(ascii: "1"): return .boolean(true)
            case UInt8(ascii: "0"): return .boolean(false)
            default: return nil
            }
        }

        /// RFC 8941 §4.2.4: at most 15 integer digits; a decimal point makes it a decimal, kept as `.other`.
        private mutating func number() -> Item? {
            var negative = false
            if current == UInt8(ascii: "-") {
                negative = true
                index += 1
            }
            let start = index
            while let byte = current, URIText.isDigit(byte) { index += 1 }
            let digits = index - start
            guard digits > 0, digits <= 15 else { return nil }
            if current == UInt8(ascii: ".") {
                index += 1
                let fractionStart = index
                while let byte = current, URIText.isDigit(byte) { index += 1 }
                guard index > fractionStart, index - fractionStart <= 3, digits <= 12 else { return nil }
                return .other
            }
            guard let magnitude = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else { return nil }
            return .integer(negative ? -magnitude : magnitude)
        }

        private mutating func byteSequence() -> Item? {
            index += 1
            while let byte = current, byte != UInt8(ascii: ":") {
                guard URIText.isAlpha(byte) || URIText.isDigit(byte) || "+/=".utf8.contains(byte) else { return nil }
                index += 1
            }
            guard current == UInt8(ascii: ":") else { return nil }
            index += 1
            return .other
        }
    }
}
