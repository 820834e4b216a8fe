import Foundation

/// One member's suspicion timer, with Lifeguard's dynamic timeout: it starts at `maxTimeout` and shrinks
/// toward `minTimeout` as distinct members independently report the same suspicion,
/// `timeout = max − (max − min) · log(C + 1) / log(K + 1)`. More witnesses mean a real failure is likely, so we
/// can declare it sooner; a lone suspector (perhaps itself the slow one) has to wait the longest.
struct Suspicion: Sendable {
    let startedAt: Double
    let minTimeout: Double
    let maxTimeout: Double
    /// K: confirmations after which the minimum applies.
    let expectedConfirmations: Int
    private(set) var suspectors: Set<NodeID>
    /// When to ask the suspect directly whether it is still there (see `SWIMState.verifySuspicions`).
    var nextVerificationAt: Double

    init(startedAt: Double, by suspector: NodeID, minTimeout: Double, maxTimeout: Double, expectedConfirmations: Int) {
        self.startedAt = startedAt
        self.minTimeout = minTimeout
        self.maxTimeout = maxTimeout
        self.expectedConfirmations = expectedConfirmations
        self.suspectors = [suspector]
        self.nextVerificationAt = startedAt + minTimeout
    }

    /// C: independent confirmations after the first suspector.
    var confirmations: Int { suspectors.count - 1 }

    /// Records a confirmation; `true` when it was new and counted (then it is worth re-gossiping).
    mutating func confirm(by suspector: NodeID) -> Bool {
        guard confirmations < expectedConfirmations else { return false }
        return suspectors.insert(suspector).inserted
    }

    var timeout: Double {
        guard expectedConfirmations > 0, maxTimeout > minTimeout else { return minTimeout }
        let fraction = log(Double(confirmations) + 1) / log(Double(expectedConfirmations) + 1)
        return max(minTimeout, maxTimeout - (maxTimeout - minTimeout) * fraction)
    }

    var deadline: Double { startedAt + timeout }
}
