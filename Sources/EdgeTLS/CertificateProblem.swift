/// A certificate entry that cannot be served, with the configuration key it belongs to, so `edge check-config`
/// prints `edge.conf:LINE: tls.certificates[N].cert: certificate expired on ...`.
public struct CertificateProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case unreadable
        case malformed
        case keyMismatch
        case expired
        case notYetValid
        case nameNotCovered
    }

    public var kind: Kind
    /// Where the offending key was written: `file`, `line`, dotted `key`.
    public var file: String
    public var line: Int?
    public var key: String
    public var message: String

    public init(kind: Kind, file: String, line: Int?, key: String, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(key): \(message)"
    }
}
