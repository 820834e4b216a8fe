import EdgeUpstream
import Testing

@Suite("Passive upstream health")
struct PassiveHealthTests {
    @Test func aRunOfFailuresMarksDownForTheBackoff() {
        var state = PassiveHealthState(threshold: 3, backoff: 10)
        state.record(.failure, now: 0)
        state.record(.failure, now: 1)
        #expect(state.isAvailable(now: 1))
        state.record(.failure, now: 2)
        #expect(!state.isAvailable(now: 2))
        #expect(!state.isAvailable(now: 11.9))
        #expect(state.isAvailable(now: 12))
    }

    @Test func aSuccessClearsTheRecord() {
        var state = PassiveHealthState(threshold: 2, backoff: 10)
        state.record(.failure, now: 0)
        state.record(.success, now: 1)
        state.record(.failure, now: 2)
        #expect(state.isAvailable(now: 2))
        #expect(state.consecutiveFailures == 1)
    }

    @Test func failingAgainAfterTheBackoffDoublesIt() {
        var state = PassiveHealthState(threshold: 1, backoff: 10, maxBackoff: 25)
        state.record(.failure, now: 0)          // down until 10
        state.record(.failure, now: 10)         // retry failed: down until 30
        #expect(!state.isAvailable(now: 29))
        state.record(.failure, now: 30)         // capped at 25: down until 55
        #expect(!state.isAvailable(now: 54) && state.isAvailable(now: 55))
    }

    @Test func trackerIsPerUpstream() {
        let tracker = PassiveHealthTracker(threshold: 1, backoff: 5)
        let a = Upstream(name: "a", host: "127.0.0.1", port: 1)
        let b = Upstream(name: "b", host: "127.0.0.1", port: 2)
        tracker.record(.failure, for: a, now: 0)
        #expect(!tracker.isAvailable(a, now: 1))
        #expect(tracker.isAvailable(b, now: 1))
        #expect(tracker.snapshot(now: 1).map(\.available) == [false])
    }
}

@Suite("Upstream selection")
struct UpstreamSelectionTests {
    @Test func parsesUpstreamURLs() {
        #expect(Upstream(name: "o", url: "http://127.0.0.1:8080")?.port == 8080)
        #expect(Upstream(name: "o", url: "http://example.test/path")?.port == 80)
        #expect(Upstream(name: "o", url: "https://[::1]:8443")?.host == "::1")
        #expect(Upstream(name: "o", url: "ftp://x") == nil)
        #expect(Upstream(name: "o", url: "http://:80") == nil)
        #expect(Upstream(name: "o", url: "http://h:99999") == nil)
        #expect(Upstream(name: "o", host: "::1", port: 1).baseURL == "http://[::1]:1")
    }

    @Test func roundRobinPutsDownServersLast() {
        let health = PassiveHealthTracker(threshold: 1, backoff: 60)
        let servers = (1...3).map { Upstream(name: "o\($0)", host: "127.0.0.1", port: 8000 + $0) }
        let chooser = OriginPoolChooser(origins: servers, health: health)
        let firsts = (0..<6).map { _ in chooser.plan(for: "k", now: 0)[0].name }
        #expect(Set(firsts) == ["o1", "o2", "o3"])
        health.record(.failure, for: servers[1], now: 0)
        for _ in 0..<6 {
            let plan = chooser.plan(for: "k", now: 1)
            #expect(plan.count == 3)
            #expect(plan.last?.name == "o2")
        }
    }
}
