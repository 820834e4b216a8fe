/// The pure rule behind `limits.max_connections`: admit a new client connection while fewer than the limit are
/// open, refuse it otherwise, and say when a refusal should be logged (at most once per `logInterval`, with how
/// many were refused since the last line) so a flood of refusals cannot flood the log too.
public struct ConnectionAdmission: Sendable, Equatable {
    public enum Decision: Sendable, Equatable {
        case admit
        /// Refuse; `logRefusals` is the count to log now (this one included), or `nil` when a line was logged
        /// less than `logInterval` ago.
        case refuse(logRefusals: Int?)
    }

    /// Changed on reload: lowering it refuses new connections until enough open ones close (none is cut);
    /// raising it admits new ones at once.
    public var maxConnections: Int
    public let logInterval: Double
    public private(set) var open = 0
    public private(set) var refusedTotal = 0
    private var refusedSinceLog = 0
    private var lastLog: Double?

    public init(maxConnections: Int, logInterval: Double = 1) {
        self.maxConnections = maxConnections
        self.logInterval = logInterval
    }

    /// A connection was accepted by the kernel.
    public mutating func accepted(now: Double) -> Decision {
        if open < maxConnections {
            open += 1
            return .admit
        }
        refusedTotal += 1
        refusedSinceLog += 1
        if let lastLog, now - lastLog < logInterval { return .refuse(logRefusals: nil) }
        lastLog = now
        defer { refusedSinceLog = 0 }
        return .refuse(logRefusals: refusedSinceLog)
    }

    /// An admitted connection closed.
    public mutating func closed() {
        open = max(0, open - 1)
    }

    /// File descriptors kept out of the client connections' share: the listeners, log and access-log files,
    /// disk-tier files being read or written, gossip, DNS and admin sockets.
    public static let reservedDescriptors = 256

    /// The default limit for a process allowed `fileDescriptorLimit` open files: half of what is left after the
    /// reserve, since each client connection may hold one upstream connection (a miss or pass-through) as well.
    public static func defaultMaxConnections(fileDescriptorLimit: Int) -> Int {
        max(16, (fileDescriptorLimit - reservedDescriptors) / 2)
    }
}
