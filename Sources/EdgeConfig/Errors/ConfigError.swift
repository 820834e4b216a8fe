import Foundation

/// A problem with an `edge.conf`, reported the way compilers report them so an operator can jump to the line:
/// `edge.conf:14: nodes[2].listen: expected "host:port" with a port 1-65535, got "127.0.0.1:99999"`.
///
/// Loading stops at the first problem: later checks often depend on earlier values being sane, and one precise
/// message is more useful than a cascade of consequences.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// What went wrong, for callers (and tests) that branch on the category rather than the text.
    public enum Kind: String, Sendable, Equatable {
        case unreadable
        case syntax
        case unknownKey
        case wrongType
        case invalidValue
        case missingKey
        case duplicate
        case unknownReference
        case noNodes
        case unknownNode
    }

    public let kind: Kind
    /// The configuration file as the operator named it (not made absolute, so messages match what they typed).
    public let file: String
    public let line: Int?
    public let column: Int?
    /// Dotted key path such as `nodes[2].listen`; `nil` when the problem is not tied to a key.
    public let key: String?
    /// What was expected and what was found.
    public let message: String

    public init(kind: Kind, file: String, line: Int? = nil, column: Int? = nil, key: String? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": "
        if let key { text += "\(key): " }
        return text + message
    }

    public var errorDescription: String? { description }
}
