import Testing
@testable import EdgeCache

@Suite("LRUIndex")
struct LRUIndexTests {
    private func keys(_ index: LRUIndex<String>) -> [String] { index.map(\.key) }

    @Test func admitKeepsInsertionOrderAndCountsBytes() {
        var index = LRUIndex<String>(capacityBytes: 100)
        #expect(index.admit("a", size: 10).isEmpty)
        #expect(index.admit("b", size: 20).isEmpty)
        #expect(index.admit("c", size: 30).isEmpty)
        #expect(keys(index) == ["a", "b", "c"])
        #expect(index.totalBytes == 60)
        #expect(index.count == 3)
        #expect(index.leastRecent == "a")
        #expect(index.mostRecent == "c")
        #expect(index.contains("b"))
        #expect(!index.contains("z"))
        #expect(index.size(of: "b") == 20)
    }

    @Test func evictsLeastRecentFirstUntilWithinCapacity() {
        var index = LRUIndex<String>(capacityBytes: 100)
        index.admit("a", size: 40)
        index.admit("b", size: 30)
        index.admit("c", size: 20)
        // 90 + 51 = 141: "a" (40) then "b" (30) must go to get back within 100.
        #expect(index.admit("d", size: 51) == ["a", "b"])
        #expect(keys(index) == ["c", "d"])
        #expect(index.totalBytes == 71)
        // Exactly at capacity is within it: 71 + 29 = 100 evicts nothing.
        #expect(index.admit("e", size: 29).isEmpty)
        #expect(index.totalBytes == 100)
    }

    @Test func touchProtectsFromEviction() {
        var index = LRUIndex<String>(capacityBytes: 100)
        index.admit("a", size: 40)
        index.admit("b", size: 40)
        let touchedPresent = index.touch("a")
        let touchedMissing = index.touch("missing")
        #expect(touchedPresent)
        #expect(!touchedMissing)
        #expect(keys(index) == ["b", "a"])
        #expect(index.admit("c", size: 40) == ["b"])
        #expect(keys(index) == ["a", "c"])
    }

    @Test func touchingTheMostRecentKeepsOrder() {
        var index = LRUIndex<String>(capacityBytes: 100)
        index.admit("a", size: 1)
        index.admit("b", size: 1)
        index.touch("b")
        #expect(keys(index) == ["a", "b"])
    }

    @Test func removeReturnsSizeAndRelinks() {
        var index = LRUIndex<String>(capacityBytes: 100)
        index.admit("a", size: 10)
        index.admit("b", size: 20)
        index.admit("c", size: 30)
        #expect(index.remove("b") == 20)
        #expect(index.remove("b") == nil)
        #expect(keys(index) == ["a", "c"])
        #expect(index.totalBytes == 40)
        #expect(index.remove("a") == 10)
        #expect(index.leastRecent == "c")
        #expect(index.remove("c") == 30)
        #expect(index.isEmpty)
        #expect(index.leastRecent == nil)
        #expect(index.mostRecent == nil)
        #expect(index.totalBytes == 0)
    }

    @Test func updatingAKeyChangesItsSizeAndMakesItMostRecent() {
        var index = LRUIndex<String>(capacityBytes: 100)
        index.admit("a", size: 10)
        index.admit("b", size: 10)
        index.admit("c", size: 10)
        #expect(index.admit("a", size: 5).isEmpty)
        #expect(keys(index) == ["b", "c", "a"])
        #expect(index.totalBytes == 25)
        #expect(index.count == 3)
        // Growing "a" past the budget evicts the others, never "a" itself.
        #expect(index.admit("a", size: 85) == ["b"])
        #expect(keys(index) == ["c", "a"])
        #expect(index.totalBytes == 95)
        #expect(index.admit("a", size: 100) == ["c"])
        #expect(keys(index) == ["a"])
        #expect(index.totalBytes == 100)
    }

    @Test func oversizeItemIsReturnedAndNotAdmitted() {
        var index = LRUIndex<String>(capacityBytes: 100)
        index.admit("a", size: 50)
        #expect(index.admit("huge", size: 101) == ["huge"])
        #expect(!index.contains("huge"))
        #expect(keys(index) == ["a"])
        #expect(index.totalBytes == 50)
    }

    @Test func oversizeUpdateDropsTheOldEntry() {
        var index = LRUIndex<String>(capacityBytes: 100)
        index.admit("a", size: 50)
        index.admit("b", size: 10)
        #expect(index.admit("a", size: 500) == ["a"])
        #expect(!index.contains("a"))
        #expect(keys(index) == ["b"])
        #expect(index.totalBytes == 10)
    }

    @Test func itemExactlyAtCapacityFits() {
        var index = LRUIndex<String>(capacityBytes: 100)
        index.admit("a", size: 1)
        #expect(index.admit("b", size: 100) == ["a"])
        #expect(keys(index) == ["b"])
    }

    @Test func zeroCapacityAdmitsOnlyEmptyItemsAndNegativeSizesCountAsZero() {
        var index = LRUIndex<String>(capacityBytes: -5)
        #expect(index.capacityBytes == 0)
        #expect(index.admit("a", size: 1) == ["a"])
        #expect(index.admit("b", size: -10).isEmpty)
        #expect(index.size(of: "b") == 0)
        #expect(index.totalBytes == 0)
    }

    @Test func popLeastRecentDrainsInOrder() {
        var index = LRUIndex<Int>(capacityBytes: 1000)
        for key in 0..<5 { index.admit(key, size: key + 1) }
        index.touch(0)
        var popped: [Int] = []
        while let (key, size) = index.popLeastRecent() {
            #expect(size == key + 1)
            popped.append(key)
        }
        #expect(popped == [1, 2, 3, 4, 0])
        #expect(index.totalBytes == 0)
    }

    @Test func removeAllResetsAndIndexIsReusable() {
        var index = LRUIndex<String>(capacityBytes: 100)
        index.admit("a", size: 10)
        index.admit("b", size: 10)
        index.removeAll()
        #expect(index.isEmpty)
        #expect(index.totalBytes == 0)
        #expect(Array(index).isEmpty)
        index.admit("c", size: 10)
        #expect(keys(index) == ["c"])
    }

    /// Random operations checked against a plain array model after every step, which exercises slot reuse
    /// and every relinking path.
    @Test func matchesAReferenceModel() {
        var generator = SplitMix64(state: 42)
        var index = LRUIndex<Int>(capacityBytes: 500)
        var model: [(key: Int, size: Int)] = []  // least recent first

        for _ in 0..<5_000 {
            let key = Int.random(in: 0..<40, using: &generator)
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<5:
                let size = Int.random(in: 0...120, using: &generator)
                let evicted = index.admit(key, size: size)
                model.removeAll { $0.key == key }
                model.append((key, size))
                var expected: [Int] = []
                while model.reduce(0, { $0 + $1.size }) > 500 {
                    expected.append(model.removeFirst().key)
                }
                #expect(evicted == expected)
            case 5..<8:
                let present = model.contains { $0.key == key }
                #expect(index.touch(key) == present)
                if let position = model.firstIndex(where: { $0.key == key }) {
                    model.append(model.remove(at: position))
                }
            default:
                let expected = model.first { $0.key == key }?.size
                #expect(index.remove(key) == expected)
                model.removeAll { $0.key == key }
            }
            #expect(index.map(\.key) == model.map(\.key))
            #expect(index.totalBytes == model.reduce(0) { $0 + $1.size })
            #expect(index.count == model.count)
        }
    }
}
