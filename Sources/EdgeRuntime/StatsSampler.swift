import EdgeAdmin
import EdgeCore
import EdgeHTTP
import Synchronization

/// The dashboard's clock: once a second, takes what the node counted (`LiveTraffic`), the store's fill, the
/// members' states from gossip and the upstreams' health, and records them as one sample.
struct StatsSampler: Sendable {
    let node: EdgeNode
    let backend: NodeAdminBackend
    let recorder: NodeStatsRecorder
    /// The store's eviction total at the previous sample, so each sample carries that second's evictions.
    let evictionTotal = PreviousTotal()

    func run() async {
        while !Task.isCancelled {
            let now = wallClockSeconds()
            // Wake just after the next whole second, so samples line up across nodes.
            let wait = max(0.05, 1.0 - now.truncatingRemainder(dividingBy: 1) + 0.01)
            try? await Task.sleep(for: .seconds(wait))
            if Task.isCancelled { return }
            await sample(time: Int(wallClockSeconds()) - 1)
        }
    }

    func sample(time: Int) async {
        var sample = node.live.drain().sample(time: time)
        let stats = node.store.stats
        sample.memoryBytes = stats.memory.bytes
        sample.memoryObjects = stats.memory.objects
        sample.diskBytes = stats.disk?.bytes ?? 0
        sample.diskObjects = stats.disk?.objects ?? 0
        sample.evictions = evictionTotal.advance(to: stats.memory.evictions + (stats.disk?.evictions ?? 0))
        let members = await backend.members().map { NodeStatsDocument.MemberState(name: $0.name, state: $0.state.rawValue) }
        let upstreams = node.health.snapshot(now: wallClockSeconds()).map {
            NodeStatsDocument.UpstreamState(name: $0.upstream.name, available: $0.available,
                                            consecutiveFailures: $0.consecutiveFailures, downBy: $0.downBy)
        }
        let top = node.live.top()
        recorder.record(sample: sample, members: members, upstreams: upstreams, topURLs: top.urls,
                        topMisses: top.misses)
    }
}

/// A running total seen at the previous sample; `advance` returns the growth since then (`nil` the first time,
/// when there is no previous sample to compare with).
final class PreviousTotal: Sendable {
    private let previous = Mutex<Int?>(nil)

    func advance(to total: Int) -> Int? {
        previous.withLock { previous in
            defer { previous = total }
            return previous.map { max(0, total - $0) }
        }
    }
}
