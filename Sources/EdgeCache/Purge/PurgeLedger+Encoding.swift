import EdgeCore
/// A ledger file or text that could not be read back.
public struct PurgeLedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the problem; 0 when it concerns the whole text.
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

/// A line format, so a node keeps its purges across a restart (a restart must not resurrect purged objects
/// still on disk) and an operator can read the file:
///
///     edge-purge-ledger 1
///     rule hard 1700000000.25 url http://www.cdn.test/a
///     rule soft 1700000100.5 tag product-42
///     rule hard 1699990000 all
///     id 5f3c9a 1700000000.25
///
/// Values are percent-encoded where they hold a space, `%`, a control or a non-ASCII byte, so every field is
/// one space-free token. Limits are configuration, not state, and are not written.
extension PurgeLedger {
    static let header = "edge-purge-ledger 1"

    public func encoded() -> [UInt8] {
        var text = Self.header + "\n"
        for rule in rules {
            text += "rule \(rule.mode.rawValue) \(rule.issuedAt) \(rule.scope.kind)"
            if let value = rule.scope.value { text += " " + Self.escape(value) }
            text += "\n"
        }
        for (id, issuedAt) in appliedIDs.sorted(by: { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }) {
            text += "id \(Self.escape(id)) \(issuedAt)\n"
        }
        return Array(text.utf8)
    }

    /// Reads what `encoded()` wrote. A ledger larger than `limits` allows is bounded as if its rules had just
    /// been recorded.
    public init(decoding bytes: [UInt8], limits: Limits = Limits()) throws(PurgeLedgerError) {
        self.init(limits: limits)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PurgeLedgerError(line: 0, message: "the ledger is not UTF-8 text")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first.map(String.init) == Self.header else {
            throw PurgeLedgerError(line: 1, message: "expected the header \"\(Self.header)\"")
        }
        for (offset, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let number = offset + 1
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            switch fields.first {
            case "rule":
                add(try Self.rule(fields, line: number))
            case "id":
                guard fields.count == 3, let id = Self.unescape(fields[1]), !id.isEmpty,
                      let issuedAt = Double(fields[2]), issuedAt.isFinite else {
                    throw PurgeLedgerError(line: number, message: "expected \"id ID TIME\"")
                }
                appliedIDs[id] = issuedAt
            default:
                throw PurgeLedgerError(line: number, message: "expected a line starting with \"rule\" or \"id\"")
            }
        }
    }

    private static func rule(_ fields: [Substring], line: Int) throws(PurgeLedgerError) -> Rule {
        guard fields.count == 4 || fields.count == 5 else {
            throw PurgeLedgerError(line: line, message: "expected \"rule MODE TIME KIND [VALUE]\"")
        }
        guard let mode = PurgeMode(rawValue: String(fields[1])) else {
            throw PurgeLedgerError(line: line, message: "expected mode hard or soft, got \"\(fields[1])\"")
        }
        guard let issuedAt = Double(fields[2]), issuedAt.isFinite else {
            throw PurgeLedgerError(line: line, message: "expected a time in seconds, got \"\(fields[2])\"")
        }
        let value: String?
        if fields.count == 5 {
            guard let text = unescape(fields[4]) else {
                throw PurgeLedgerError(line: line, message: "invalid percent-encoding in \"\(fields[4])\"")
            }
            value = text
        } else {
            value = nil
        }
        guard let scope = PurgeScope(kind: String(fields[3]), value: value) else {
            throw PurgeLedgerError(line: line, message: "expected url, prefix or tag with a value, or all without one")
        }
        return Rule(scope: scope, mode: mode, issuedAt: issuedAt)
    }

    static func escape(_ text: String) -> String {
        PercentEncoding.encodeNonPrintable(text)
    }

    static func unescape(_ text: Substring) -> String? {
        PercentEncoding.decode(text)
    }
}
