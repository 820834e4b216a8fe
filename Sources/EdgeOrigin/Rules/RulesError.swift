/// A rules file that cannot be used, located so the author can go straight to the line.
///
/// `description` reads `origin/rules.conf:12: expected a duration after "delay", got "fast"`, the shape compilers
/// use, which editors and terminals turn into links.
public struct RulesError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as the user named it (not resolved), so the message matches what they typed.
    public var file: String
    /// 1-based; 0 when the problem is the file as a whole (e.g. it cannot be read).
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}
