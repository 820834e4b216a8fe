@testable import EdgeCache
import NIOCore
import Testing

@Suite("Request coalescing")
struct CoalescingTests {
    @Test func oneLeaderManyFollowers() async {
        let table = InflightFetches<Int>()
        guard case .leader(let fetch) = table.join("k") else {
            Issue.record("first join must lead")
            return
        }
        var followers: [InflightFetch<Int>] = []
        for _ in 0..<10 {
            guard case .follower(let follower) = table.join("k") else {
                Issue.record("later joins must follow")
                return
            }
            followers.append(follower)
        }
        #expect(fetch.followerCount == 10)
        guard case .leader = table.join("other") else {
            Issue.record("another key has its own leader")
            return
        }
        let body = SharedBody()
        fetch.publish(.shared(200, body))
        for follower in followers {
            guard case .shared(let head, _) = await follower.outcome() else {
                Issue.record("followers see the shared outcome")
                return
            }
            #expect(head == 200)
        }
        table.finish("k", fetch)
        guard case .leader = table.join("k") else {
            Issue.record("after finish a new fetch starts")
            return
        }
    }

    @Test func finishingWithoutPublishingReleasesFollowersWithAFailure() async {
        let table = InflightFetches<Int>()
        guard case .leader(let fetch) = table.join("k"), case .follower(let follower) = table.join("k") else {
            Issue.record("roles")
            return
        }
        table.finish("k", fetch)
        guard case .failed = await follower.outcome() else {
            Issue.record("an abandoned fetch must not leave followers waiting")
            return
        }
    }

    @Test func readersStreamChunksAsTheyArrive() async throws {
        let body = SharedBody()
        let early = body.makeReader()
        body.append(ByteBuffer(string: "ab"))
        let consumer = Task {
            var collected = ""
            for try await chunk in early { collected += String(buffer: chunk) }
            return collected
        }
        try await Task.sleep(for: .milliseconds(20))
        body.append(ByteBuffer(string: "cd"))
        body.finish()
        #expect(try await consumer.value == "abcd")
        var late = ""
        for try await chunk in body.makeReader() { late += String(buffer: chunk) }
        #expect(late == "abcd")
        #expect(body.collected().map { String(buffer: $0) } == "abcd")
        #expect(body.receivedBytes == 4)
    }

    @Test func readersSeeAFailure() async {
        struct Broken: Error {}
        let body = SharedBody()
        body.append(ByteBuffer(string: "x"))
        body.fail(Broken())
        var reader = body.makeReader()
        #expect((try? await reader.next()) != nil)
        await #expect(throws: Broken.self) { _ = try await reader.next() }
        #expect(body.collected() == nil)
    }
}
