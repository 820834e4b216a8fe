import Dispatch
import Testing
@testable import EdgeCache

@Suite("MemoryTier")
struct MemoryTierTests {
    /// Objects of a known, equal cost so capacities can be stated in objects.
    private func object(_ name: String, variant: String = "", storedAt: Double = 1, vary: [String] = [],
                        tags: [String] = []) -> CachedObject {
        makeObject(primaryKey: "http://example.com/" + name, variantKey: variant, varyFields: vary, bodySize: 1000,
                   storedAt: storedAt, tags: tags)
    }

    @Test func putGetAndStats() {
        let tier = MemoryTier(capacityBytes: 1_000_000, maxObjectBytes: 100_000)
        let a = object("a")
        #expect(tier.put(a).isEmpty)
        #expect(tier.get(a.storageKey) === a)
        #expect(tier.peek(a.storageKey) === a)
        #expect(tier.contains(a.storageKey))
        #expect(tier.get("http://example.com/missing\n") == nil)
        #expect(tier.stats == TierStats(objects: 1, bytes: a.byteCost, capacityBytes: 1_000_000))
    }

    @Test func shrinkingEvictsLeastRecentFirstAndGrowingKeepsEverything() {
        let cost = object("a").byteCost
        let tier = MemoryTier(capacityBytes: cost * 4, maxObjectBytes: cost * 4)
        let a = object("a"), b = object("b"), c = object("c"), d = object("d")
        for item in [a, b, c, d] { tier.put(item) }
        _ = tier.get(a.storageKey)
        #expect(tier.resize(capacityBytes: cost * 8, maxObjectBytes: cost).isEmpty, "growing evicts nothing")
        #expect(tier.stats.capacityBytes == cost * 8)
        let evicted = tier.resize(capacityBytes: cost * 2, maxObjectBytes: cost)
        #expect(evicted.map(\.storageKey) == [b.storageKey, c.storageKey])
        #expect(tier.stats == TierStats(objects: 2, bytes: cost * 2, capacityBytes: cost * 2))
        #expect(tier.contains(a.storageKey) && tier.contains(d.storageKey))
        #expect(tier.maxObjectBytes == cost)
    }

    @Test func loweringTheLargestObjectEvictsWhatNoLongerFits() {
        let small = object("small")
        let large = makeObject(primaryKey: "http://example.com/large", variantKey: "", varyFields: [],
                               bodySize: 5000, storedAt: 1, tags: [])
        let tier = MemoryTier(capacityBytes: 100_000, maxObjectBytes: 100_000)
        tier.put(small)
        tier.put(large)
        let evicted = tier.resize(capacityBytes: 100_000, maxObjectBytes: small.byteCost)
        #expect(evicted.map(\.storageKey) == [large.storageKey])
        #expect(tier.contains(small.storageKey))
        #expect(!tier.accepts(large))
    }

    @Test func evictsLeastRecentlyUsedAndReturnsTheObjects() {
        let cost = object("a").byteCost
        let tier = MemoryTier(capacityBytes: cost * 3, maxObjectBytes: cost * 3)
        let a = object("a"), b = object("b"), c = object("c"), d = object("d"), e = object("e")
        tier.put(a)
        tier.put(b)
        tier.put(c)
        #expect(tier.get(a.storageKey) === a)  // a becomes most recent; b is now the oldest
        #expect(tier.peek(b.storageKey) === b)  // peek does not change that
        let evicted = tier.put(d)
        #expect(evicted.map(\.storageKey) == [b.storageKey])
        #expect(!tier.contains(b.storageKey))
        #expect(tier.put(e).map(\.storageKey) == [c.storageKey])
        #expect(tier.stats.objects == 3)
        #expect(tier.stats.bytes == cost * 3)
    }

    @Test func oversizeObjectIsReturnedAndSupersedesTheOldVersion() {
        let tier = MemoryTier(capacityBytes: 100_000, maxObjectBytes: 2000)
        let small = makeObject(primaryKey: "k", bodySize: 100)
        let large = makeObject(primaryKey: "k", bodySize: 5000)
        tier.put(small)
        #expect(!tier.accepts(large))
        #expect(tier.put(large).map { $0 === large } == [true])
        #expect(!tier.contains("k\n"))
        #expect(tier.stats.bytes == 0)
    }

    @Test func maxObjectBytesIsCappedAtCapacity() {
        let tier = MemoryTier(capacityBytes: 1000, maxObjectBytes: 10_000)
        #expect(tier.maxObjectBytes == 1000)
    }

    @Test func replacingAnObjectIsNotAnEviction() {
        let tier = MemoryTier(capacityBytes: 1_000_000, maxObjectBytes: 100_000)
        let first = makeObject(primaryKey: "k", bodySize: 100)
        let second = makeObject(primaryKey: "k", bodySize: 300)
        tier.put(first)
        #expect(tier.put(second).isEmpty)
        #expect(tier.get("k\n") === second)
        #expect(tier.stats.objects == 1)
        #expect(tier.stats.bytes == second.byteCost)
    }

    @Test func insertIfAbsentNeverOverwrites() {
        let tier = MemoryTier(capacityBytes: 1_000_000, maxObjectBytes: 100_000)
        let newer = makeObject(primaryKey: "k", storedAt: 2)
        let older = makeObject(primaryKey: "k", storedAt: 1)
        #expect(tier.insertIfAbsent(newer).inserted)
        #expect(!tier.insertIfAbsent(older).inserted)
        #expect(tier.get("k\n") === newer)
    }

    @Test func removeByKeyAndByPrimaryKey() {
        let tier = MemoryTier(capacityBytes: 1_000_000, maxObjectBytes: 100_000)
        let gzip = object("a", variant: "gzip", vary: ["accept-encoding"])
        let plain = object("a", variant: "identity", vary: ["accept-encoding"])
        let other = object("b")
        for item in [gzip, plain, other] { tier.put(item) }
        #expect(tier.variantKeys(forPrimaryKey: gzip.primaryKey) == ["gzip", "identity"])

        #expect(tier.remove(gzip.storageKey) === gzip)
        #expect(tier.remove(gzip.storageKey) == nil)
        #expect(tier.variantKeys(forPrimaryKey: gzip.primaryKey) == ["identity"])

        tier.put(gzip)
        #expect(Set(tier.remove(primaryKey: gzip.primaryKey).map(\.storageKey)) == [gzip.storageKey, plain.storageKey])
        #expect(tier.variantKeys(forPrimaryKey: gzip.primaryKey).isEmpty)
        #expect(tier.contains(other.storageKey))
        #expect(tier.stats.bytes == other.byteCost)
    }

    /// Objects without a variant key are not in the tier's variant index (it would cost each small object an
    /// entry); every view by primary key must still see them beside the varied ones, in the same order.
    @Test func plainAndVariedObjectsOfOneURLAreSeenTogether() {
        let tier = MemoryTier(capacityBytes: 1_000_000, maxObjectBytes: 100_000)
        let plain = object("a", storedAt: 3)
        let varied = object("a", variant: "gzip", storedAt: 2, vary: ["accept-encoding"])
        let prefixed = object("ab", storedAt: 1)
        for item in [plain, varied, prefixed] { tier.put(item) }
        #expect(plain.primaryKey == "http://example.com/a" && plain.variantKey.isEmpty && plain.hasEmptyVariantKey)
        #expect(varied.primaryKey == "http://example.com/a" && varied.variantKey == "gzip")
        #expect(varied.primaryKeyPart == "http://example.com/a" && varied.variantKeyPart == "gzip")
        #expect(tier.variantKeys(forPrimaryKey: "http://example.com/a") == ["", "gzip"])
        #expect(tier.varyFields(forPrimaryKey: "http://example.com/a") == [])
        #expect(tier.storageKeys(wherePrimaryKeyHasPrefix: "http://example.com/a") == [
            "http://example.com/a\n", "http://example.com/a\ngzip", "http://example.com/ab\n",
        ])
        #expect(Set(tier.remove(primaryKey: "http://example.com/a").map(\.storageKey))
            == [plain.storageKey, varied.storageKey])
        #expect(tier.variantKeys(forPrimaryKey: "http://example.com/a").isEmpty)
        #expect(tier.variantKeys(forPrimaryKey: "http://example.com/ab") == [""])
        #expect(tier.stats.objects == 1)
    }

    @Test func removeAllReturnsEverything() {
        let tier = MemoryTier(capacityBytes: 1_000_000, maxObjectBytes: 100_000)
        let items = ["a", "b", "c"].map { object($0) }
        for item in items { tier.put(item) }
        #expect(Set(tier.removeAll().map(\.storageKey)) == Set(items.map(\.storageKey)))
        #expect(tier.stats == TierStats(objects: 0, bytes: 0, capacityBytes: 1_000_000))
    }

    @Test func varyFieldsComeFromTheLatestVariant() {
        let tier = MemoryTier(capacityBytes: 1_000_000, maxObjectBytes: 100_000)
        #expect(tier.varyFields(forPrimaryKey: "http://example.com/a") == nil)
        tier.put(object("a", variant: "x", storedAt: 1, vary: ["accept"]))
        tier.put(object("a", variant: "y", storedAt: 2, vary: ["accept", "accept-encoding"]))
        #expect(tier.varyFields(forPrimaryKey: "http://example.com/a") == ["accept", "accept-encoding"])
        tier.put(object("b"))
        #expect(tier.varyFields(forPrimaryKey: "http://example.com/b") == [])
    }

    @Test func keysByPrefixAndTag() {
        let tier = MemoryTier(capacityBytes: 1_000_000, maxObjectBytes: 100_000)
        tier.put(object("img/1", tags: ["images"]))
        tier.put(object("img/2", variant: "v"))
        tier.put(object("css/1", tags: ["images", "css"]))
        #expect(tier.storageKeys(wherePrimaryKeyHasPrefix: "http://example.com/img/") == [
            "http://example.com/img/1\n", "http://example.com/img/2\nv",
        ])
        #expect(tier.storageKeys(taggedWith: "images") == ["http://example.com/css/1\n", "http://example.com/img/1\n"])
        #expect(tier.storageKeys(taggedWith: "none").isEmpty)
    }

    /// Several threads hammer one tier with a bounded number of mixed operations; afterwards the accounting
    /// must agree with what is actually held and stay within capacity.
    @Test func concurrentUseKeepsAccountingConsistent() {
        let cost = object("k100").byteCost
        let tier = MemoryTier(capacityBytes: cost * 20, maxObjectBytes: cost * 2)
        let objects = (0..<50).map { object("k\(100 + $0)") }
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            var generator = SplitMix64(state: UInt64(worker + 1))
            for _ in 0..<5_000 {
                let item = objects[Int.random(in: 0..<objects.count, using: &generator)]
                switch Int.random(in: 0..<10, using: &generator) {
                case 0..<4: _ = tier.put(item)
                case 4..<8: _ = tier.get(item.storageKey)
                case 8: _ = tier.remove(item.storageKey)
                default: _ = tier.stats
                }
            }
        }
        let held = objects.filter { tier.contains($0.storageKey) }
        let stats = tier.stats
        #expect(stats.objects == held.count)
        #expect(stats.bytes == held.count * cost)
        #expect(stats.bytes <= stats.capacityBytes)
        #expect(Set(tier.storageKeys(wherePrimaryKeyHasPrefix: "")) == Set(held.map(\.storageKey)))
    }
}
