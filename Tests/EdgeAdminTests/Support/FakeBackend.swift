import EdgeAdmin
import EdgeCache
import NIOCore
import NIOHTTP1
import Synchronization

/// Records which node applied which purge, across nodes, in the order they did.
final class PurgeLog: Sendable {
    private let entries = Mutex<[(node: String, id: String)]>([])

    func append(node: String, id: String) {
        entries.withLock { $0.append((node, id)) }
    }

    var nodes: [String] { entries.withLock { $0.map(\.node) } }

    func nodes(for id: String) -> [String] {
        entries.withLock { $0.filter { $0.id == id }.map(\.node) }
    }
}

/// An honest stand-in for the node: a real memory store and purge ledger, so purges really remove or mark
/// objects, plus a members list the test controls.
final class FakeBackend: AdminBackend {
    let name: String
    let role: String
    let store = TieredStore(memory: MemoryTier(capacityBytes: 1 << 20, maxObjectBytes: 1 << 16), disk: nil)
    let ledger = SharedPurgeLedger()
    let log: PurgeLog
    /// Added to every applyPurge, to make an out-of-order coordinator visible.
    let applyDelay: Duration
    private let memberList = Mutex<[MemberInfo]>([])
    private let persistFailure = Mutex<String?>(nil)
    private let applied = Mutex<[PurgeCommand]>([])
    static let clock: @Sendable () -> Double = { 1_700_000_000 }

    init(name: String, role: String = "edge", log: PurgeLog = PurgeLog(), applyDelay: Duration = .zero) {
        self.name = name
        self.role = role
        self.log = log
        self.applyDelay = applyDelay
    }

    var members: [MemberInfo] {
        get { memberList.withLock { $0 } }
        set { memberList.withLock { $0 = newValue } }
    }

    /// Set to make this node unable to make purges durable (as a node whose purge ledger cannot be saved):
    /// it still records and applies them, but reports this error, also for ids it recorded before.
    var failToPersist: String? {
        get { persistFailure.withLock { $0 } }
        set { persistFailure.withLock { $0 = newValue } }
    }

    /// Commands this node applied (new ids only).
    var commands: [PurgeCommand] { applied.withLock { $0 } }

    func put(_ key: String, variant: String = "", tags: [String] = [], fetchedAt: Double = 1_600_000_000) {
        store.store(CachedObject(primaryKey: key, variantKey: variant, varyFields: variant.isEmpty ? [] : ["accept-encoding"],
                                 status: 200, headers: ["cache-control": "max-age=600"],
                                 body: ByteBuffer(string: "hello"), requestTime: fetchedAt, responseTime: fetchedAt,
                                 storedAt: fetchedAt, tags: tags))
    }

    func snapshot() async -> NodeSnapshot {
        let stats = store.stats.memory
        return NodeSnapshot(node: name, role: role, uptimeSeconds: 12.5,
                            cache: [TierUsage(tier: "memory", objects: stats.objects, bytes: stats.bytes,
                                              capacityBytes: stats.capacityBytes)],
                            hitRatio: 0.75, requests: 400, bytesServed: 123_456,
                            purgeRules: ledger.snapshot.rules.count)
    }

    func members() async -> [MemberInfo] { members }

    func applyPurge(_ command: PurgeCommand) async -> LocalPurgeResult {
        if applyDelay > .zero { try? await Task.sleep(for: applyDelay) }
        let failure = failToPersist
        guard ledger.record(command, now: command.issuedAt) else {
            return LocalPurgeResult(applied: false, error: failure)
        }
        applied.withLock { $0.append(command) }
        log.append(node: name, id: command.id)
        let effect = store.apply(command)
        return LocalPurgeResult(removed: effect.removed, marked: effect.marked, applied: true, error: failure)
    }

    func cacheReport(primaryKey: String) async -> CacheReport {
        let variants = store.memory.variantKeys(forPrimaryKey: primaryKey).compactMap { variant -> CacheReport.Variant? in
            guard let object = store.lookupInMemory(primaryKey: primaryKey, variantKey: variant) else { return nil }
            let verdict = ledger.verdict(primaryKey: primaryKey, tags: object.tags, fetchedAt: object.requestTime)
            return CacheReport.Variant(variantKey: variant, tiers: ["memory"], status: object.status, ageSeconds: 1,
                                       ttlSeconds: 599, tags: object.tags, bodyBytes: object.body.readableBytes,
                                       purge: "\(verdict)")
        }
        return CacheReport(primaryKey: primaryKey, variants: variants)
    }

    func metricsText() async -> String {
        "# TYPE edge_requests_total counter\nedge_requests_total{node=\"\(name)\"} 400\n"
    }
}
