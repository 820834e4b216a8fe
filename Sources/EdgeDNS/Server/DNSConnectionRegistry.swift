import Foundation
import NIOCore

/// The open TCP connections, so `stop()` can close them (closing a listener leaves its children open).
final class DNSConnectionRegistry: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var channels: [ObjectIdentifier: Channel] = [:]

    func insert(_ channel: Channel) {
        lock.lock()
        defer { lock.unlock() }
        channels[ObjectIdentifier(channel)] = channel
    }

    func remove(_ channel: Channel) {
        lock.lock()
        defer { lock.unlock() }
        channels[ObjectIdentifier(channel)] = nil
    }

    /// Empties the registry and returns what was in it.
    func removeAll() -> [Channel] {
        lock.lock()
        defer { lock.unlock() }
        defer { channels = [:] }
        return Array(channels.values)
    }
}
