/// The byte-level scanner behind `TOMLLineIndex`. Every loop consumes at least one byte per iteration.
struct TOMLLineScanner {
    let bytes: [UInt8]
    var position = 0
    var line = 1
    var lines: [String: Int] = [:]
    /// Resolved array-of-tables paths (`nodes`, `nodes[1].extra`) → how many elements headers have opened so far.
    var arrayTableCounts: [String: Int] = [:]
    var currentTable = ConfigKeyPath.root
    var lineStart = 0
    /// Current nesting of arrays and inline tables. Past `maximumDepth` values are skipped flat, so hostile nesting
    /// cannot exhaust the stack (toml++ itself stops at 256 levels).
    var depth = 0
    static let maximumDepth = 300
    var hazard: TOMLLineIndex.ParserHazard?

    // MARK: Byte helpers

    var atEnd: Bool { position >= bytes.count }

    func peek(_ offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index < bytes.count ? bytes[index] : nil
    }

    mutating func advance() {
        guard position < bytes.count else { return }
        if bytes[position] == UInt8(ascii: "\n") {
            line += 1
            lineStart = position + 1
        }
        position += 1
    }

    /// 1-based column in Unicode scalars, as toml++ counts them.
    var column: Int {
        bytes[lineStart..<min(position, bytes.count)].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
    }

    mutating func skipSpaces() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { advance() }
    }

    /// Skips spaces, newlines and comments: what may sit between array elements.
    mutating func skipBlank() {
        while let byte = peek() {
            if byte == UInt8(ascii: "#") {
                skipComment()
            } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                        || byte == UInt8(ascii: "\r") {
                advance()
            } else {
                return
            }
        }
    }

    mutating func skipComment() {
        while let byte = peek(), byte != UInt8(ascii: "\n") { advance() }
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    func isKeyStart(_ byte: UInt8) -> Bool {
        Self.isBareKeyByte(byte) || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }

    /// Records the problem and ends the scan: the text will be refused, so the rest of it need not be indexed (and
    /// scanning on past hostile nesting would cost time quadratic in its depth).
    mutating func noteHazard(_ message: String) {
        if hazard == nil { hazard = TOMLLineIndex.ParserHazard(line: line, column: column, message: message) }
        position = bytes.count
    }

    mutating func record(_ path: ConfigKeyPath, line: Int) {
        let key = path.description
        if lines[key] == nil { lines[key] = line }
    }

    // MARK: Document structure

    mutating func scanDocument() {
        while !atEnd {
            let start = position
            skipBlank()
            guard let byte = peek() else { break }
            if byte == UInt8(ascii: "[") {
                scanHeader()
            } else if isKeyStart(byte) {
                scanKeyValue(in: currentTable)
            }
            if position == start { advance() }
        }
    }

    mutating func scanHeader() {
        let headerLine = line
        advance()  // [
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { advance() }
        skipSpaces()
        if let byte = peek(), !isKeyStart(byte), byte != UInt8(ascii: "]") {
            noteHazard("expected a key in the table header")
        }
        let keys = scanKey()
        skipSpaces()
        if peek() == UInt8(ascii: "]") { advance() }
        if isArray, peek() == UInt8(ascii: "]") { advance() }
        guard !keys.isEmpty else { return }

        var path = ConfigKeyPath.root
        for (offset, key) in keys.enumerated() {
            path = path.appending(key)
            let isLast = offset == keys.count - 1
            if isLast && isArray {
                let count = arrayTableCounts[path.description, default: 0]
                arrayTableCounts[path.description] = count + 1
                record(path, line: headerLine)
                path = path.appending(index: count)
            } else if let count = arrayTableCounts[path.description], count > 0 {
                // A header inside the most recent element of an array of tables (`[nodes.cache]` after `[[nodes]]`).
                record(path, line: headerLine)
                path = path.appending(index: count - 1)
            }
            record(path, line: headerLine)
        }
        currentTable = path
    }

    /// `key = value`, where key may be dotted; records every prefix and then scans the value.
    mutating func scanKeyValue(in table: ConfigKeyPath) {
        let keyLine = line
        let keys = scanKey()
        guard !keys.isEmpty else { return }
        var path = table
        for key in keys {
            path = path.appending(key)
            record(path, line: keyLine)
        }
        skipSpaces()
        guard peek() == UInt8(ascii: "=") else { return }
        advance()
        skipSpaces()
        scanValue(at: path)
    }

    /// A possibly dotted key: `a`, `"quoted key"`, `'literal'`, `a . "b" . c`.
    mutating func scanKey() -> [String] {
        var keys: [String] = []
        while let byte = peek() {
            if byte == UInt8(ascii: "\"") {
                advance()
                keys.append(scanBasicStringBody())
            } else if byte == UInt8(ascii: "'") {
                advance()
                keys.append(scanLiteralStringBody())
            } else if Self.isBareKeyByte(byte) {
                let start = position
                while let next = peek(), Self.isBareKeyByte(next) { advance() }
                keys.append(String(decoding: bytes[start..<position], as: UTF8.self))
            } else {
                break
            }
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else { break }
            advance()
            skipSpaces()
        }
        return keys
    }

    // MARK: Values

    mutating func scanValue(at path: ConfigKeyPath) {
        guard let byte = peek() else { return }
        guard depth < Self.maximumDepth else {
            noteHazard("values nested more than \(Self.maximumDepth) levels deep")
            return
        }
        depth += 1
        defer { depth -= 1 }
        switch byte {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                skipMultilineString(quote: UInt8(ascii: "\""), escapes: true)
            } else {
                advance()
                _ = scanBasicStringBody()
            }
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                skipMultilineString(quote: UInt8(ascii: "'"), escapes: false)
            } else {
                advance()
                _ = scanLiteralStringBody()
            }
        case UInt8(ascii: "["):
            scanArray(at: path)
        case UInt8(ascii: "{"):
            scanInlineTable(at: path)
        default:
            skipScalar()
        }
    }

    mutating func scanArray(at path: ConfigKeyPath) {
        advance()  // [
        var index = 0
        while !atEnd {
            skipBlank()
            guard let byte = peek() else { return }
            if byte == UInt8(ascii: "]") {
                advance()
                return
            }
            if byte == UInt8(ascii: ",") {
                advance()
                continue
            }
            if byte == UInt8(ascii: "}") {
                noteHazard("expected a value or ']' in the array, saw '}'")
            }
            let start = position
            let element = path.appending(index: index)
            record(element, line: line)
            scanValue(at: element)
            index += 1
            if position == start { advance() }
        }
    }

    mutating func scanInlineTable(at path: ConfigKeyPath) {
        advance()  // {
        while !atEnd {
            skipBlank()
            guard let byte = peek() else { return }
            if byte == UInt8(ascii: "}") {
                advance()
                return
            }
            let start = position
            if byte != UInt8(ascii: ","), isKeyStart(byte) {
                scanKeyValue(in: path)
            }
            if position == start { advance() }
        }
    }

    /// Numbers, booleans, dates: runs up to the next delimiter.
    mutating func skipScalar() {
        let start = position
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "\n"),
                 UInt8(ascii: "\r"):
                if position == start { advance() }
                return
            default:
                advance()
            }
        }
    }
}
