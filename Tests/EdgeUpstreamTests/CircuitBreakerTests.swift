import EdgeUpstream
import Testing

@Suite("Passive upstream health: the circuit breaker")
struct CircuitBreakerTests {
    @Test func aReloadedThresholdAppliesToUpstreamsAlreadyTrackedAndNewOnes() {
        let tracker = PassiveHealthTracker(threshold: 5, backoff: 10)
        let a = Upstream(name: "a", host: "127.0.0.1", port: 1)
        let b = Upstream(name: "b", host: "127.0.0.1", port: 2)
        tracker.record(.failure, for: a, now: 0)
        tracker.retune(threshold: 2, backoff: 3)
        tracker.record(.failure, for: a, now: 1)
        #expect(!tracker.isAvailable(a, now: 1), "two failures in a row now open it")
        #expect(tracker.isAvailable(a, now: 4), "for the new back-off of 3 s")
        tracker.record(.failure, for: b, now: 0)
        #expect(tracker.isAvailable(b, now: 0))
        tracker.record(.failure, for: b, now: 0)
        #expect(!tracker.isAvailable(b, now: 0), "a breaker created after the reload has the new threshold")
    }

    @Test func retuningKeepsAnOpenCircuitOpen() {
        var state = CircuitBreaker(threshold: 1, backoff: 10)
        state.record(.failure, now: 0)
        state.retune(threshold: 4, backoff: 1)
        #expect(!state.isAvailable(now: 5), "open until the time it was given")
        #expect(state.isAvailable(now: 10))
        #expect(state.threshold == 4 && state.backoff == 1 && state.maxBackoff == 8)
    }

    @Test func aRunOfFailuresMarksDownForTheBackoff() {
        var state = CircuitBreaker(threshold: 3, backoff: 10)
        state.record(.failure, now: 0)
        state.record(.failure, now: 1)
        #expect(state.isAvailable(now: 1))
        state.record(.failure, now: 2)
        #expect(!state.isAvailable(now: 2))
        #expect(!state.isAvailable(now: 11.9))
        #expect(state.isAvailable(now: 12))
    }

    @Test func aSuccessClearsTheRecord() {
        var state = CircuitBreaker(threshold: 2, backoff: 10)
        state.record(.failure, now: 0)
        state.record(.success, now: 1)
        state.record(.failure, now: 2)
        #expect(state.isAvailable(now: 2))
        #expect(state.consecutiveFailures == 1)
    }

    @Test func failingAgainAfterTheBackoffDoublesIt() {
        var state = CircuitBreaker(threshold: 1, backoff: 10, maxBackoff: 25)
        state.record(.failure, now: 0)          // down until 10
        state.record(.failure, now: 10)         // retry failed: down until 30
        #expect(!state.isAvailable(now: 29))
        state.record(.failure, now: 30)         // capped at 25: down until 55
        #expect(!state.isAvailable(now: 54) && state.isAvailable(now: 55))
    }

    @Test func aTimeoutOpensTheCircuitAtOnce() {
        var breaker = CircuitBreaker(threshold: 3, backoff: 10)
        breaker.record(.timeout, now: 5)
        #expect(breaker.state == .open(until: 15))
        #expect(breaker.admit(now: 6) == .refused(retryAt: 15))
    }

    @Test func anOpenCircuitLetsOneProbeThroughPerBackoff() {
        var breaker = CircuitBreaker(threshold: 1, backoff: 10)
        breaker.record(.failure, now: 0)
        #expect(breaker.admit(now: 9.9) == .refused(retryAt: 10))
        #expect(breaker.admit(now: 10) == .probe)
        // The probe is out: everyone else is still turned away, until the probe slot expires.
        #expect(breaker.admit(now: 10.5) == .refused(retryAt: 20))
        #expect(!breaker.isAvailable(now: 10.5))
        #expect(breaker.admit(now: 20) == .probe)
    }

    @Test func aSuccessfulProbeClosesTheCircuit() {
        var breaker = CircuitBreaker(threshold: 2, backoff: 10)
        breaker.record(.timeout, now: 0)
        #expect(breaker.admit(now: 11) == .probe)
        breaker.record(.success, now: 11.2)
        #expect(breaker.state == .closed)
        #expect(breaker.admit(now: 11.3) == .allowed)
        #expect(breaker.admit(now: 11.3) == .allowed)
        #expect(breaker.consecutiveFailures == 0)
    }

    @Test func aFailedProbeReopensForTwiceTheBackoff() {
        var breaker = CircuitBreaker(threshold: 1, backoff: 10, maxBackoff: 30)
        breaker.record(.failure, now: 0)
        #expect(breaker.admit(now: 10) == .probe)
        breaker.record(.timeout, now: 11)
        #expect(breaker.state == .open(until: 31))
        #expect(breaker.retryAt == 31)
        #expect(breaker.admit(now: 31) == .probe)
        breaker.record(.failure, now: 31)
        #expect(breaker.state == .open(until: 61))  // capped at 30
    }

    @Test func lateFailuresOfRequestsStartedBeforeTheCircuitOpenedDoNotExtendIt() {
        var breaker = CircuitBreaker(threshold: 1, backoff: 10)
        breaker.record(.timeout, now: 0)
        breaker.record(.timeout, now: 0.2)
        breaker.record(.failure, now: 3)
        #expect(breaker.state == .open(until: 10))
    }

    @Test func trackerIsPerUpstream() {
        let tracker = PassiveHealthTracker(threshold: 1, backoff: 5)
        let a = Upstream(name: "a", host: "127.0.0.1", port: 1)
        let b = Upstream(name: "b", host: "127.0.0.1", port: 2)
        tracker.record(.failure, for: a, now: 0)
        #expect(!tracker.isAvailable(a, now: 1))
        #expect(tracker.isAvailable(b, now: 1))
        #expect(tracker.snapshot(now: 1).map(\.available) == [false])
        #expect(tracker.admit(a, now: 1) == .refused(retryAt: 5))
        #expect(tracker.admit(b, now: 1) == .allowed)
        #expect(tracker.admit(a, now: 5) == .probe)
        #expect(tracker.admit(a, now: 5) == .refused(retryAt: 10))
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
