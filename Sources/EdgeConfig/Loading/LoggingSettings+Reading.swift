extension LoggingSettings {
    static let keys = ["level", "access_log"]

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
