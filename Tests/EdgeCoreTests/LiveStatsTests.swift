import EdgeCore
import Testing

@Suite("Dashboard statistics: sample ring, latency histogram, heavy hitters")
struct LiveStatsTests {
    @Test func ringKeepsTheLastCapacityValuesInOrderAndWrapsAround() {
        var ring = SampleRing<Int>(capacity: 900)
        for value in 0..<2_000 { ring.append(value) }
        #expect(ring.count == 900)
        #expect(ring.elements == Array(1_100..<2_000))
        #expect(ring.last == 1_999)
        #expect(ring.suffix { $0 > 1_995 } == [1_996, 1_997, 1_998, 1_999])
        #expect(ring.suffix { $0 > 5_000 }.isEmpty)
    }

    @Test func ringBeforeItIsFullAndAtEveryWrapPoint() {
        var ring = SampleRing<Int>(capacity: 3)
        #expect(ring.elements.isEmpty && ring.last == nil)
        ring.append(1); ring.append(2)
        #expect(ring.elements == [1, 2])
        for value in 3...7 {
            ring.append(value)
            #expect(ring.elements == Array(max(1, value - 2)...value))
            #expect(ring.last == value)
        }
        #expect(SampleRing<Int>(capacity: 0).capacity == 1)
    }

    @Test func histogramQuantilesAreBucketBounds() {
        var histogram = LatencyHistogram()
        #expect(histogram.quantileMs(0.5) == nil)
        for _ in 0..<98 { histogram.record(seconds: 0.004) }  // 5 ms bucket
        histogram.record(seconds: 0.3)                        // 500 ms bucket
        histogram.record(seconds: 60)                         // beyond the last bound
        #expect(histogram.total == 100)
        #expect(histogram.quantileMs(0.5) == 5)
        #expect(histogram.quantileMs(0.99) == 500)
        #expect(histogram.quantileMs(1) == 20_000)
        histogram.record(seconds: -1)
        histogram.record(seconds: .nan)
        #expect(histogram.counts[0] == 2)
        var other = LatencyHistogram()
        other.record(seconds: 0.001)
        histogram.merge(other)
        #expect(histogram.total == 103)
    }

    @Test func sketchFindsTheHeavyKeysInBoundedMemory() {
        var sketch = HeavyHitters(capacity: 64)
        // 10 heavy keys among 5,000 distinct cold ones.
        for round in 0..<5_000 {
            sketch.offer("/cold/\(round)")
            if round % 10 == 0 {
                for heavy in 0..<10 { sketch.offer("/hot/\(heavy)", weight: 5) }
            }
        }
        #expect(sketch.count == 64)
        let top = sketch.top(10)
        #expect(Set(top.map(\.key)) == Set((0..<10).map { "/hot/\($0)" }))
        for entry in top {
            // Space-Saving never underestimates, and overestimates by at most `error`.
            #expect(entry.count >= 2_500 && entry.count - entry.error <= 2_500)
        }
        let long = String(repeating: "x", count: 10_000)
        sketch.offer(long, weight: 1_000_000)
        #expect(sketch.top(1)[0].key.utf8.count == HeavyHitters.maxKeyBytes)
        #expect(sketch.count == 64)
    }

    @Test func mergeAddsCountsAndBoundsTheResult() {
        var a = HeavyHitters(capacity: 4), b = HeavyHitters(capacity: 4)
        a.offer("/x", weight: 10); a.offer("/y", weight: 5)
        b.offer("/x", weight: 7); b.offer("/z", weight: 20)
        let merged = HeavyHitters.merged([a, b], capacity: 2)
        #expect(merged.top().map(\.key) == ["/z", "/x"])
        #expect(merged.top().map(\.count) == [20, 17])
        #expect(merged.top().allSatisfy { $0.error == 0 })  // neither sketch was full: counts are exact

        var full = HeavyHitters(capacity: 2)
        full.offer("/p", weight: 3); full.offer("/q", weight: 4)
        let withFull = HeavyHitters.merged([full, b], capacity: 8)
        // /x and /z may have had up to 3 hits (the full sketch's floor) there: counted as possible error.
        #expect(withFull.top().first { $0.key == "/z" } == HeavyHitters.Entry(key: "/z", count: 23, error: 3))
        #expect(HeavyHitters(entries: withFull.top(), capacity: 2).count == 2)
    }

    @Test func intervalCountsOneSecondAndHealthChangesAreDiffs() {
        var interval = TrafficInterval()
        interval.record(status: 200, hit: true, miss: false, bytes: 100, upstreamSeconds: nil)
        interval.record(status: 404, hit: false, miss: true, bytes: 10, upstreamSeconds: 0.015)
        interval.record(status: 502, hit: false, miss: true, bytes: -5, upstreamSeconds: 0.15)
        let sample = interval.sample(time: 42)
        #expect(sample.time == 42 && sample.requests == 3 && sample.hits == 1 && sample.misses == 2)
        #expect(sample.bytesSent == 110 && sample.status4xx == 1 && sample.status5xx == 1)
        #expect(sample.upstreamRequests == 2 && sample.upstreamP50Ms == 20 && sample.upstreamP99Ms == 200)

        let changes = HealthChange.changes(from: ["a": "alive", "b": "alive", "c": "dead"],
                                           to: ["a": "alive", "b": "suspect", "d": "alive"], time: 7)
        #expect(changes == [HealthChange(time: 7, member: "b", from: "alive", to: "suspect"),
                            HealthChange(time: 7, member: "c", from: "dead", to: "gone"),
                            HealthChange(time: 7, member: "d", from: nil, to: "alive")])
    }
}
