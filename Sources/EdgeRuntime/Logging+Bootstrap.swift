import Logging

/// Diagnostic logs go to standard error (the access log owns standard output), at the configured level, which
/// a reload can change (`LiveLogLevel`).
public func bootstrapLogging(level: Logger.Level) {
    LiveLogLevel.shared.level = level
    LoggingSystem.bootstrap { label in
        LiveLevelLogHandler(label: label)
    }
}
