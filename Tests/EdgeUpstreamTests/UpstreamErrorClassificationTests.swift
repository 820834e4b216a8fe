@testable import EdgeUpstream
import NIOCore
import NIOHTTP1
import Testing

/// Errors are classified by who caused them, as Pingora's are: only the upstream's own behaviour feeds its
/// health and may be retried against another upstream; what the request or this node caused is answered at once.
@Suite("Upstream error classification")
struct UpstreamErrorClassificationTests {
    func kind(_ error: any Error, _ phase: UpstreamClient.Phase = .head) -> UpstreamError.Kind {
        UpstreamClient.classify(error, upstream: "u", phase: phase).kind
    }

    @Test func theUpstreamsOwnFailuresAreUpstreamErrors() {
        #expect(kind(ChannelError.connectTimeout(.seconds(1))) == .connectTimeout)
        #expect(kind(HTTPParserError.invalidStatus) == .protocolError)
        #expect(kind(IOError(errnoCode: 111, reason: "connect")) == .connect)
        #expect(kind(IOError(errnoCode: 104, reason: "read"), .body) == .protocolError)
        for error: any Error in [ChannelError.connectTimeout(.seconds(1)), HTTPParserError.invalidStatus,
                                 IOError(errnoCode: 111, reason: "connect")] {
            #expect(UpstreamClient.classify(error, upstream: "u", phase: .head).source == .upstream)
        }
    }

    @Test func whatTheRequestCausedIsTheClientsError() {
        #expect(kind(CancellationError()) == .cancelled)
        #expect(UpstreamClient.classify(CancellationError(), upstream: "u", phase: .head).source == .downstream)
        let passedThrough = UpstreamError(kind: .requestBody, upstream: "u", message: "")
        #expect(kind(passedThrough) == .requestBody)
        #expect(kind(UpstreamExchangeFailure(error: UpstreamError(kind: .invalidRequest, upstream: "u", message: ""),
                                             staleConnection: false)) == .invalidRequest)
    }

    @Test func localLimitsAreInternal() {
        #expect(UpstreamError(kind: .localLimit, upstream: "u", message: "").source == .internal)
    }

    @Test func onlyUpstreamErrorsFeedHealthOrAreRetried() {
        for kind in UpstreamError.Kind.allCases {
            let error = UpstreamError(kind: kind, upstream: "u", message: "")
            if error.source != .upstream {
                #expect(error.healthOutcome == nil, "\(kind) must not count against the upstream")
                #expect(!error.isRetryable(idempotent: true), "\(kind) must not be retried elsewhere")
            } else {
                #expect(error.healthOutcome != nil, "\(kind) is the upstream's behaviour")
            }
        }
        #expect(UpstreamError(kind: .firstByteTimeout, upstream: "u", message: "").healthOutcome == .timeout)
        #expect(UpstreamError(kind: .connectTimeout, upstream: "u", message: "").healthOutcome == .timeout)
        #expect(UpstreamError(kind: .connect, upstream: "u", message: "").healthOutcome == .failure)
        #expect(UpstreamError(kind: .connect, upstream: "u", message: "").isRetryable(idempotent: false))
        #expect(!UpstreamError(kind: .firstByteTimeout, upstream: "u", message: "").isRetryable(idempotent: false))
    }

    @Test func clientStatuses() {
        func status(_ kind: UpstreamError.Kind) -> Int { UpstreamError(kind: kind, upstream: "u", message: "").clientStatus }
        #expect(status(.invalidRequest) == 400)
        #expect(status(.requestBody) == 400)
        #expect(status(.unavailable) == 503)
        #expect(status(.firstByteTimeout) == 504)
        #expect(status(.connect) == 502)
    }

    @Test func retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
        #expect(UpstreamError.retryAfterSeconds(until: 100.2, now: 100) == 1)
        #expect(UpstreamError.retryAfterSeconds(until: 100, now: 100) == 1)
        #expect(UpstreamError.retryAfterSeconds(until: 90, now: 100) == 1)
        #expect(UpstreamError.retryAfterSeconds(until: 104.5, now: 100) == 5)
        #expect(UpstreamError.retryAfterSeconds(until: .infinity, now: 100) == 1)
    }
}
