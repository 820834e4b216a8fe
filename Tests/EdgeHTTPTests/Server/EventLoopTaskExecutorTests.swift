@testable import EdgeHTTP
import NIOCore
import NIOPosix
import Testing

/// A request's task prefers its connection's event loop: its code runs there before and after every suspension,
/// and NIO hands it that same loop when it asks the group for one (which is how the upstream client's
/// connection ends up on the same thread).
@Suite("Event loop task executor")
struct EventLoopTaskExecutorTests {
    @Test func aTaskPreferringTheExecutorRunsOnItsLoopAcrossSuspensions() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)

        let observed = await Task(executorPreference: executor) { () -> [Bool] in
            var onLoop = [loop.inEventLoop]
            try? await Task.sleep(for: .milliseconds(5))
            onLoop.append(loop.inEventLoop)
            // A future completed on another loop resumes the task back on its own.
            var other = group.next()
            if other === loop { other = group.next() }
            _ = try? await other.submit { 1 }.get()
            onLoop.append(loop.inEventLoop)
            // What AsyncHTTPClient asks for when it picks a loop for the upstream connection.
            onLoop.append(group.any() === loop)
            return onLoop
        }.value
        #expect(observed == [true, true, true, true])
        try await group.shutdownGracefully()
    }

    @Test func plainTasksStartedInsideDoNotInheritIt() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)

        let background = await Task(executorPreference: executor) { () -> Bool in
            // Background work (compression, refreshes) is started this way and must stay off the event loop.
            await Task { loop.inEventLoop }.value
        }.value
        #expect(background == false)
        try await group.shutdownGracefully()
    }
}
