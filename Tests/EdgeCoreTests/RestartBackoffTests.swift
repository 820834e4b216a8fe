import EdgeCore
import Testing

/// `edge up`'s restart schedule: 0.5 s doubling to 30 s, reset after 60 s up.
@Suite struct RestartBackoffTests {
    @Test func delaysDoubleUpToTheMaximum() {
        var backoff = RestartBackoff()
        var delays: [Double] = []
        var now = 0.0
        for _ in 0..<9 {
            backoff.started(at: now)
            now += 1
            let delay = backoff.delayAfterExit(at: now)
            delays.append(delay)
            now += delay
        }
        #expect(delays == [0.5, 1, 2, 4, 8, 16, 30, 30, 30])
    }

    @Test func stayingUpLongEnoughResetsTheDelay() {
        var backoff = RestartBackoff()
        backoff.started(at: 0)
        #expect(backoff.delayAfterExit(at: 1) == 0.5)
        backoff.started(at: 1.5)
        #expect(backoff.delayAfterExit(at: 2) == 1)
        backoff.started(at: 3)
        #expect(backoff.delayAfterExit(at: 62.9) == 2, "59.9 s up is not yet enough")
        backoff.started(at: 65)
        #expect(backoff.delayAfterExit(at: 125) == 0.5, "60 s up resets")
        backoff.started(at: 126)
        #expect(backoff.delayAfterExit(at: 127) == 1)
    }

    @Test func customBounds() {
        var backoff = RestartBackoff(initial: 1, maximum: 3, resetAfter: 10)
        backoff.started(at: 0)
        #expect(backoff.delayAfterExit(at: 0) == 1)
        #expect(backoff.delayAfterExit(at: 0) == 2)
        #expect(backoff.delayAfterExit(at: 0) == 3)
        #expect(backoff.delayAfterExit(at: 0) == 3)
    }
}
