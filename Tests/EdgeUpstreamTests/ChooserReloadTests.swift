@testable import EdgeUpstream
import Testing

/// A reload replaces the chooser's lists (`TieredChooser.update`): plans made afterwards use the new ones, plans
/// already made keep theirs, and the health of an upstream in both lists is kept.
@Suite("Upstream lists replaced on reload")
struct ChooserReloadTests {
    static let shieldA = Upstream(name: "shield-a", host: "127.0.0.21", port: 8080, tier: .shield)
    static let shieldB = Upstream(name: "shield-b", host: "127.0.0.22", port: 8080, tier: .shield)
    static let originA = Upstream(name: "origin", host: "127.0.0.31", port: 8080)
    static let originB = Upstream(name: "origin", host: "127.0.0.32", port: 8080)

    @Test func plansAfterTheUpdateUseTheNewOriginsAndEarlierPlansKeepTheirs() {
        let board = HealthBoard(threshold: 1, backoff: 100)
        let chooser = TieredChooser(shields: [], origins: [Self.originA], policy: .nextShield, health: board)
        let before = chooser.plan(for: "k", now: 0)
        chooser.update(shields: [], origins: [Self.originB], policy: .nextShield)
        #expect(before == [Self.originA], "a plan already made is a value: the request finishes on it")
        #expect(chooser.plan(for: "k", now: 0) == [Self.originB])
        #expect(chooser.origins == [Self.originB])
    }

    @Test func anUpstreamInBothListsKeepsItsOpenCircuit() {
        let board = HealthBoard(threshold: 1, backoff: 100)
        let chooser = TieredChooser(shields: [Self.shieldA], origins: [Self.originA], policy: .nextShield,
                                    health: board)
        board.record(.failure, for: Self.shieldA, now: 0)
        chooser.update(shields: [Self.shieldA, Self.shieldB], origins: [Self.originA], policy: .nextShield)
        #expect(!board.isAvailable(Self.shieldA, now: 1), "its circuit is still open")
        let plan = chooser.plan(for: "k", now: 1)
        #expect(plan.first == Self.shieldB, "the healthy new shield comes first: \(plan)")
        #expect(plan.last == Self.shieldA, "the down one stays at the end")
    }

    @Test func theFailoverPolicyChangesWithTheLists() {
        let board = HealthBoard(threshold: 1, backoff: 100)
        let chooser = TieredChooser(shields: [Self.shieldA, Self.shieldB], origins: [Self.originA],
                                    policy: .nextShield, health: board)
        #expect(chooser.plan(for: "k", now: 0).count == 3)
        chooser.update(shields: [Self.shieldA, Self.shieldB], origins: [Self.originA], policy: .error)
        #expect(chooser.plan(for: "k", now: 0).count == 1)
        #expect(chooser.policy == .error)
    }

    @Test func removingEveryShieldMakesTheEdgeFetchFromTheOrigins() {
        let board = HealthBoard(threshold: 1, backoff: 100)
        let chooser = TieredChooser(shields: [Self.shieldA], origins: [Self.originA], policy: .nextShield,
                                    health: board)
        chooser.update(shields: [], origins: [Self.originA], policy: .nextShield)
        #expect(chooser.plan(for: "k", now: 0) == [Self.originA])
        #expect(chooser.homeShield(for: "k", now: 0) == nil)
    }
}
