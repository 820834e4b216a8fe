import EdgeCore
import Testing

@Suite("Connection guard")
struct ConnectionGuardTests {
    func makeGuard() -> ConnectionGuard {
        ConnectionGuard(now: 0, limits: .init(headerTimeout: 5, idleTimeout: 30, bodyTimeout: 20, maxHeadBytes: 1000))
    }

    @Test func idleConnectionsCloseAfterTheIdleTimeout() {
        let state = makeGuard()
        #expect(state.deadline == 30)
        #expect(state.check(now: 29) == .keepOpen)
        #expect(state.check(now: 30) == .close(status: nil, reason: "keep-alive idle timeout"))
    }

    @Test func aTricklingHeadGets408() {
        var state = makeGuard()
        #expect(state.bytesReceived(10, now: 1) == .keepOpen)
        #expect(state.bytesReceived(10, now: 5) == .keepOpen)
        #expect(state.deadline == 6)
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

    @Test func aStalledBodyGets408AfterTheBodyTimeout() {
        var state = makeGuard()
        _ = state.bytesReceived(100, now: 1)
        state.headReceived(now: 2)
        #expect(state.phase == .receivingBody(lastProgress: 2))
        #expect(state.deadline == 22)
        #expect(state.check(now: 21.9) == .keepOpen)
        if case .close(let status, _) = state.check(now: 22) { #expect(status == 408) } else {
            Issue.record("a body with no bytes for the body timeout is closed")
        }
    }

    @Test func aTrickledBodyLivesWhileItMakesProgress() {
        var state = makeGuard()
        _ = state.bytesReceived(100, now: 0)
        state.headReceived(now: 0)
        for second in stride(from: 5.0, through: 100, by: 5) {
            #expect(state.bytesReceived(1, now: second) == .keepOpen)
            #expect(state.check(now: second + 19) == .keepOpen)
        }
        #expect(state.deadline == 120)
        #expect(state.check(now: 120) != .keepOpen)
    }

    @Test func busyConnectionsAreNotTimedOutAndIdleRestartsAfterTheResponse() {
        var state = makeGuard()
        _ = state.bytesReceived(100, now: 1)
        state.headReceived(now: 1)
        state.requestReceived()
        #expect(state.deadline == nil)
        #expect(state.check(now: 1000) == .keepOpen)
        #expect(state.bytesReceived(5000, now: 1000) == .keepOpen)  // pipelined: not counted while busy
        state.responseCompleted(now: 1000)
        #expect(state.check(now: 1029) == .keepOpen)
        #expect(state.check(now: 1030) != .keepOpen)
    }

    @Test func aResponseBeforeTheRequestEndedIsNotUndoneByTheLateEnd() {
        var state = makeGuard()
        _ = state.bytesReceived(100, now: 1)
        state.headReceived(now: 1)
        state.responseCompleted(now: 2)  // a rejection answered before the body was in
        state.requestReceived()
        #expect(state.phase == .idle(since: 2))
    }
}

@Suite("Connection admission")
struct ConnectionAdmissionTests {
    @Test func admitsUpToTheLimitAndAgainAfterACloses() {
        var admission = ConnectionAdmission(maxConnections: 2)
        #expect(admission.accepted(now: 0) == .admit)
        #expect(admission.accepted(now: 0) == .admit)
        #expect(admission.accepted(now: 0) == .refuse(logRefusals: 1))
        admission.closed()
        #expect(admission.accepted(now: 0) == .admit)
        #expect(admission.open == 2)
    }

    @Test func refusalsAreLoggedAtMostOncePerIntervalWithTheirCount() {
        var admission = ConnectionAdmission(maxConnections: 0, logInterval: 1)
        #expect(admission.accepted(now: 10) == .refuse(logRefusals: 1))
        #expect(admission.accepted(now: 10.2) == .refuse(logRefusals: nil))
        #expect(admission.accepted(now: 10.9) == .refuse(logRefusals: nil))
        #expect(admission.accepted(now: 11) == .refuse(logRefusals: 3))
        #expect(admission.refusedTotal == 4)
    }

    @Test func aLoweredLimitCutsNoOpenConnectionAndRefusesUntilEnoughHaveClosed() {
        var admission = ConnectionAdmission(maxConnections: 4)
        for _ in 0..<4 { #expect(admission.accepted(now: 0) == .admit) }
        admission.maxConnections = 2  // a reload
        #expect(admission.open == 4, "open connections are kept")
        #expect(admission.accepted(now: 0) == .refuse(logRefusals: 1))
        admission.closed()
        admission.closed()
        #expect(admission.accepted(now: 0) == .refuse(logRefusals: nil), "still at the new limit")
        admission.closed()
        #expect(admission.accepted(now: 0) == .admit)
    }

    @Test func aRaisedLimitAdmitsAtOnce() {
        var admission = ConnectionAdmission(maxConnections: 1)
        #expect(admission.accepted(now: 0) == .admit)
        #expect(admission.accepted(now: 0) == .refuse(logRefusals: 1))
        admission.maxConnections = 3
        #expect(admission.accepted(now: 0) == .admit)
    }

    @Test func theDefaultLeavesHalfOfTheDescriptorsBeyondTheReserveForUpstreams() {
        #expect(ConnectionAdmission.defaultMaxConnections(fileDescriptorLimit: 1024) == 384)
        #expect(ConnectionAdmission.defaultMaxConnections(fileDescriptorLimit: 1_048_576) == 524_160)
        #expect(ConnectionAdmission.defaultMaxConnections(fileDescriptorLimit: 100) == 16)
    }
}
