import Logging
import Synchronization

/// The diagnostic log level of this process, which a reload can change: every logger's handler reads it on
/// each call, so loggers already handed out follow the new level.
final class LiveLogLevel: Sendable {
    static let shared = LiveLogLevel()
    private let value = Mutex<Logger.Level>(.info)

    var level: Logger.Level {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// A standard-error handler whose level is `LiveLogLevel.shared` unless a logger sets its own.
struct LiveLevelLogHandler: LogHandler {
    var inner: StreamLogHandler
    /// A level set on one logger (`logger.logLevel = …`), which then no longer follows reloads.
    private var override: Logger.Level?

    init(label: String) {
        inner = StreamLogHandler.standardError(label: label)
    }

    var logLevel: Logger.Level {
        get { override ?? LiveLogLevel.shared.level }
        set { override = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        inner.log(event: event)
    }
}
