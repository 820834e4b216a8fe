import EdgeHTTP
import Testing

@Suite("Connection guard")
struct ConnectionGuardTests {
    func makeGuard() -> ConnectionGuard {
        ConnectionGuard(now: 0, headerTimeout: 5, idleTimeout: 30, maxHeadBytes: 1000)
    }

    @Test func idleConnectionsCloseAfterTheIdleTimeout() {
        let state = makeGuard()
        #expect(state.check(now: 29) == .keepOpen)
        #expect(state.check(now: 30) == .close(status: nil, reason: "keep-alive idle timeout"))
    }

    @Test func aTricklingHeadGets408() {
        var state = makeGuard()
        #expect(state.bytesReceived(10, now: 1) == .keepOpen)
        #expect(state.bytesReceived(10, now: 5) == .keepOpen)
        if case .close(let status, _) = state.check(now: 6) { #expect(status == 408) } else {
            Issue.record("the header timeout counts from the first byte")
        }
    }

    @Test func anOversizedHeadGets431() {
        var state = makeGuard()
        #expect(state.bytesReceived(600, now: 1) == .keepOpen)
        if case .close(let status, _) = state.bytesReceived(600, now: 1) { #expect(status == 431) } else {
            Issue.record("head bytes are capped")
        }
    }

    @Test func busyConnectionsAreNotTimedOutAndIdleRestartsAfterTheResponse() {
        var state = makeGuard()
        _ = state.bytesReceived(100, now: 1)
        state.headReceived()
        #expect(state.check(now: 1000) == .keepOpen)
        #expect(state.bytesReceived(5000, now: 1000) == .keepOpen)  // pipelined: not counted while busy
        state.responseCompleted(now: 1000)
        #expect(state.check(now: 1029) == .keepOpen)
        #expect(state.check(now: 1030) != .keepOpen)
    }
}
