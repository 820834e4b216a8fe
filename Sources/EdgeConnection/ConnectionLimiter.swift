import EdgeCore
import NIOCore
import Synchronization

/// Enforces `ConnectionAdmission` on a listener: each accepted connection asks `admit(_:)` in the child channel
/// initializer; a refused one is closed at once by the server bootstrap (the initializer fails), before any
/// handler or timer is set up for it, so a flood costs an accept and a close per connection. Connections
/// already admitted keep being served.
public final class ConnectionLimiter: Sendable {
    /// Why a connection was refused; the bootstrap closes the channel when the initializer fails with it.
    public struct Refused: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "connection limit reached" }
    }

    private let admission: Mutex<ConnectionAdmission>
    private let now: @Sendable () -> Double
    private let onRefused: @Sendable (_ logRefusals: Int?) -> Void

    /// `onRefused` runs for every refusal (count it); its argument is non-nil when a log line is due.
    public init(maxConnections: Int, now: @escaping @Sendable () -> Double,
                onRefused: @escaping @Sendable (_ logRefusals: Int?) -> Void) {
        self.admission = Mutex(ConnectionAdmission(maxConnections: maxConnections))
        self.now = now
        self.onRefused = onRefused
    }

    /// The limit; set on reload, it applies from the next accepted connection on, and open ones are kept.
    public var maxConnections: Int {
        get { admission.withLock { $0.maxConnections } }
        set { admission.withLock { $0.maxConnections = newValue } }
    }
    public var openConnections: Int { admission.withLock { $0.open } }

    /// Whether `channel` may be served; an admitted channel is counted until it closes.
    public func admit(_ channel: any Channel) -> Bool {
        let decision = admission.withLock { $0.accepted(now: now()) }
        switch decision {
        case .admit:
            channel.closeFuture.whenComplete { _ in self.admission.withLock { $0.closed() } }
            return true
        case .refuse(let logRefusals):
            onRefused(logRefusals)
            return false
        }
    }
}
