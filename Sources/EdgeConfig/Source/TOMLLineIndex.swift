/// Maps key paths (`nodes[2].listen`, `cache.memory_size`) to the line where they are written.
///
/// TOMLKit hands back values without source positions, yet every configuration error must name its line. This is a
/// small scanner that understands just enough TOML to follow table headers, arrays of tables, dotted keys, inline
/// tables, arrays and (multi-line) strings. It runs before TOMLKit, on any text (that is how it spots parser
/// hazards), so it is written to terminate in linear time and never trap: a wrong line number is bad, a crash worse.
public struct TOMLLineIndex: Sendable {
    private let lines: [String: Int]

    /// Text that toml++ 3.4 (inside TOMLKit 0.6) does not reject cleanly: it reaches a failed precondition, which
    /// aborts in debug builds and is undefined behaviour in release builds. Known cases: a table header whose key
    /// starts with a character no key can start with (`[}x]`, `[[[1]]]`, `[` at a line end; fixed upstream in
    /// marzer/tomlplusplus#301) and an array element starting with `}` (`a = [ } ]`). Values nested deeper than
    /// the scanner follows are reported too. The loader refuses such text with this description before TOMLKit
    /// sees it.
    public struct ParserHazard: Equatable, Sendable {
        public let line: Int
        public let column: Int
        public let message: String
    }

    /// The first parser hazard in the text, if any.
    public let parserHazard: ParserHazard?

    public init(source: String) {
        var scanner = TOMLLineScanner(bytes: Array(source.utf8))
        scanner.scanDocument()
        lines = scanner.lines
        parserHazard = scanner.hazard
    }

    /// The line where exactly this path is defined (a key, a table header, an array element), if known.
    public func line(of path: ConfigKeyPath) -> Int? {
        lines[path.description]
    }

    /// The line of `path`, or of its nearest ancestor that has one: a missing key is reported at its table.
    public func nearestLine(of path: ConfigKeyPath) -> Int? {
        var current: ConfigKeyPath? = path
        while let candidate = current {
            if let line = lines[candidate.description] { return line }
            current = candidate.parent
        }
        return nil
    }

    /// Number of indexed paths; lets tests check that nothing silly was recorded.
    public var count: Int { lines.count }
}
