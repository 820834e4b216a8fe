import EdgeCore

/// Log verbosity and where access log lines go.
public struct LoggingSettings: Sendable, Equatable {
    /// Same names as swift-log's `Logger.Level`, so `Logger.Level(rawValue: level.rawValue)` converts.
    public enum Level: String, Sendable, Equatable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    public enum AccessLog: Sendable, Equatable {
        case off
        case stdout
        case stderr
        /// An absolute path after loading (relative paths resolve against the config file's directory).
        case file(String)
    }

    public var level: Level = .info
    public var accessLog: AccessLog = .stdout
    /// `logging.access_format`: combined (default), json, or a `$variable` template.
    public var accessFormat: AccessLogFormat = .combined

    public init() {}
}
