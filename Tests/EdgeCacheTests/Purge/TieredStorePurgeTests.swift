import EdgeCache
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@Suite struct TieredStorePurgeTests {
    func object(_ key: String, variant: String = "", tags: [String] = []) -> CachedObject {
        CachedObject(primaryKey: key, variantKey: variant, varyFields: variant.isEmpty ? [] : ["accept-encoding"],
                     status: 200, headers: ["cache-control": "max-age=60"], body: ByteBuffer(string: "body"),
                     requestTime: 1000, responseTime: 1000, storedAt: 1000, tags: tags)
    }

    func store() -> TieredStore {
        let store = TieredStore(memory: MemoryTier(capacityBytes: 1 << 20, maxObjectBytes: 1 << 16), disk: nil)
        store.store(object("http://h.test/a", variant: "gzip", tags: ["x"]))
        store.store(object("http://h.test/a", variant: "br", tags: ["x"]))
        store.store(object("http://h.test/img/1", tags: ["y"]))
        store.store(object("http://h.test/img/2", tags: ["x", "y"]))
        return store
    }

    func command(_ scope: PurgeScope, _ mode: PurgeMode = .hard) -> PurgeCommand {
        PurgeCommand(id: "c", scope: scope, mode: mode, issuedAt: 2000)
    }

    @Test func hardURLPurgeRemovesEveryVariant() {
        let store = store()
        #expect(store.apply(command(.url("http://h.test/a"))) == PurgeEffect(removed: 2))
        #expect(store.lookupInMemory(primaryKey: "http://h.test/a", variantKey: "gzip") == nil)
        #expect(store.stats.memory.objects == 2)
    }

    @Test func hardPrefixTagAndAll() {
        let prefixStore = store()
        #expect(prefixStore.apply(command(.prefix("http://h.test/img/"))) == PurgeEffect(removed: 2))
        #expect(prefixStore.stats.memory.objects == 2)
        let tagStore = store()
        #expect(tagStore.apply(command(.tag("x"))) == PurgeEffect(removed: 3))
        #expect(tagStore.stats.memory.objects == 1)
        let allStore = store()
        #expect(allStore.apply(command(.all)) == PurgeEffect(removed: 4))
        #expect(allStore.stats.memory.objects == 0)
    }

    @Test func softPurgeCountsButKeeps() {
        let store = store()
        #expect(store.apply(command(.tag("y"), .soft)) == PurgeEffect(marked: 2))
        #expect(store.apply(command(.all, .soft)) == PurgeEffect(marked: 4))
        #expect(store.stats.memory.objects == 4)
    }

    @Test func sharedLedgerAnswersConcurrently() async {
        let shared = SharedPurgeLedger()
        #expect(shared.record(command(.tag("x")), now: 2000))
        #expect(!shared.record(command(.tag("x")), now: 2000))
        await withTaskGroup(of: PurgeVerdict.self) { group in
            for index in 0..<100 {
                group.addTask { shared.verdict(primaryKey: "http://h.test/\(index)", tags: ["x"], fetchedAt: 1999) }
            }
            for await verdict in group { #expect(verdict == .purged) }
        }
        #expect(shared.snapshot.scopedRuleCount == 1)
    }
}
