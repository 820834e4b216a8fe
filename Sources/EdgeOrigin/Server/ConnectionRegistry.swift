import NIOCore

/// The open client connections, so stopping the server also ends keep-alive connections instead of leaving them
/// served by a server that no longer exists.
final class ConnectionRegistry: Sendable {
    private let channels = Locked([ObjectIdentifier: Channel]())

    func add(_ channel: Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.channels.withLock { _ = $0.removeValue(forKey: key) }
        }
    }

    var count: Int { channels.withLock { $0.count } }

    /// Closes every connection; returns once all have closed (errors from already-closed ones are ignored).
    func closeAll() async {
        let open = channels.withLock { Array($0.values) }
        for channel in open {
            try? await channel.close()
        }
    }

    /// Starts closing every connection without waiting, for synchronous shutdown handlers.
    func beginClosingAll() {
        let open = channels.withLock { Array($0.values) }
        for channel in open { channel.close(promise: nil) }
    }
}
