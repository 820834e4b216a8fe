import Testing
@testable import EdgeDNS

@Suite struct LastKnownRoutesTests {
    let router = EdgeRouter(settings: .init(answersPerQuery: 1, tieDistanceKm: 0))
    let paris = GeoLocation(latitude: 48.8566, longitude: 2.3522, region: "eu")
    let newYorkClient = GeoLocation(latitude: 40.7, longitude: -74, region: "us")

    func candidates(alive: Bool) -> [RouteCandidate] {
        [EdgeRouterTests.edge("london", lat: 51.5074, lon: -0.1278, last: 1, alive: alive),
         EdgeRouterTests.edge("new-york", lat: 40.7128, lon: -74.0060, last: 4, alive: alive)]
    }

    @Test func fallsBackToTheLastSetForTheSameKey() {
        var memory = LastKnownRoutes()
        _ = memory.resolve(router.choose(client: paris, candidates: candidates(alive: true)), key: "eu")
        _ = memory.resolve(router.choose(client: newYorkClient, candidates: candidates(alive: true)), key: "us")

        let outage = memory.resolve(router.choose(client: paris, candidates: candidates(alive: false)), key: "eu")
        #expect(outage.fromLastKnown)
        #expect(outage.chosen.isEmpty)
        #expect(outage.answer(scopePrefixLength: 24) ==
            RouteAnswer(ipv4: [IPv4Address(192, 0, 2, 1)], scopePrefixLength: 24, fromLastKnown: true))
        let usOutage = memory.resolve(router.choose(client: newYorkClient, candidates: candidates(alive: false)), key: "us")
        #expect(usOutage.answer(scopePrefixLength: 0).ipv4 == [IPv4Address(192, 0, 2, 4)])
    }

    @Test func unknownKeyUsesTheMostRecentSet() {
        var memory = LastKnownRoutes()
        _ = memory.resolve(router.choose(client: newYorkClient, candidates: candidates(alive: true)), key: "us")
        let outage = memory.resolve(router.choose(client: paris, candidates: candidates(alive: false)), key: "asia")
        #expect(outage.answerCandidates.map(\.name) == ["new-york"])
    }

    @Test func recoveryReplacesTheMemory() {
        var memory = LastKnownRoutes()
        _ = memory.resolve(router.choose(client: paris, candidates: candidates(alive: true)), key: "eu")
        var onlyNewYork = candidates(alive: true)
        onlyNewYork[0].isAlive = false
        let fresh = memory.resolve(router.choose(client: paris, candidates: onlyNewYork), key: "eu")
        #expect(!fresh.fromLastKnown)
        #expect(memory.remembered(for: "eu")?.map(\.name) == ["new-york"])
    }

    @Test func nothingEverChosenStaysEmpty() {
        var memory = LastKnownRoutes()
        let outage = memory.resolve(router.choose(client: paris, candidates: candidates(alive: false)), key: "eu")
        #expect(!outage.fromLastKnown)
        #expect(outage.answer(scopePrefixLength: 0) == RouteAnswer())
    }
}
