/// String literals: skipped for values, decoded for quoted keys (whose text must match TOMLKit's key exactly).
extension TOMLLineScanner {
    /// After the opening `"`; returns the decoded content and leaves the position after the closing quote.
    mutating func scanBasicStringBody() -> String {
        var content: [UInt8] = []
        while let byte = peek() {
            if byte == UInt8(ascii: "\"") {
                advance()
                break
            }
            if byte == UInt8(ascii: "\n") { break }  // unterminated: stop at the line end
            if byte == UInt8(ascii: "\\") {
                advance()
                content.append(contentsOf: scanEscape())
                continue
            }
            content.append(byte)
            advance()
        }
        return String(decoding: content, as: UTF8.self)
    }

    mutating func scanEscape() -> [UInt8] {
        guard let byte = peek() else { return [] }
        advance()
        switch byte {
        case UInt8(ascii: "n"): return [0x0A]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "r"): return [0x0D]
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "e"): return [0x1B]
        case UInt8(ascii: "u"): return scanUnicodeEscape(digits: 4)
        case UInt8(ascii: "U"): return scanUnicodeEscape(digits: 8)
        default: return [byte]
        }
    }

    mutating func scanUnicodeEscape(digits: Int) -> [UInt8] {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let byte = peek(), let digit = Self.hexValue(byte) else { break }
            value = value &* 16 &+ digit
            advance()
        }
        guard let scalar = Unicode.Scalar(value) else { return [] }
        return Array(String(Character(scalar)).utf8)
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// After the opening `'`.
    mutating func scanLiteralStringBody() -> String {
        let start = position
        while let byte = peek(), byte != UInt8(ascii: "'"), byte != UInt8(ascii: "\n") { advance() }
        let content = String(decoding: bytes[start..<position], as: UTF8.self)
        if peek() == UInt8(ascii: "'") { advance() }
        return content
    }

    /// `"""…"""` or `'''…'''`; the closing delimiter may be followed by up to two more quotes that belong to the content.
    mutating func skipMultilineString(quote: UInt8, escapes: Bool) {
        advance(); advance(); advance()
        while let byte = peek() {
            if escapes, byte == UInt8(ascii: "\\") {
                advance()
                advance()
                continue
            }
            if byte == quote, peek(1) == quote, peek(2) == quote {
                advance(); advance(); advance()
                while peek() == quote { advance() }
                return
            }
            advance()
        }
    }
}
