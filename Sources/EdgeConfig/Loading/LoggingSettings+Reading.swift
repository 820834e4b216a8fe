import EdgeCore

extension LoggingSettings {
    static let keys = ["level", "access_log", "access_format"]

    static let levelExpected = LoggingSettings.Level.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
    static let accessLogExpected = "true, false, \"stdout\", \"stderr\" or a file path"

    mutating func apply(_ reader: TableReader) throws(ConfigError) {
        try reader.checkKeys(allowed: Self.keys)
        if let text = try reader.string("level", expected: "one of \(Self.levelExpected)") {
            guard let value = Level(rawValue: text.lowercased()) else {
                throw reader.invalid("level", expected: "one of \(Self.levelExpected)", got: text)
            }
            level = value
        }
        if let text = try reader.string("access_format", expected: "\"combined\", \"json\" or a $variable template") {
            do throws(AccessLogFormat.ParseError) {
                accessFormat = try AccessLogFormat.parse(text)
            } catch {
                throw reader.invalid("access_format", expected: "\"combined\", \"json\" or a template of known $variables (\(error))", got: text)
            }
        }
        if let raw = reader.value("access_log") {
            if let flag = raw.bool {
                accessLog = flag ? .stdout : .off
            } else if let text = raw.string {
                switch text {
                case "stdout": accessLog = .stdout
                case "stderr": accessLog = .stderr
                case _ where text.trimmingSpaces().isEmpty:
                    throw reader.invalid("access_log", expected: Self.accessLogExpected, got: raw)
                default: accessLog = .file(reader.context.resolvePath(text))
                }
            } else {
                throw reader.mismatch("access_log", expected: Self.accessLogExpected, got: raw)
            }
        }
    }
}
