import NIOCore

/// Runs Swift concurrency jobs on one NIO event loop: the task executor preference of every request a
/// connection cannot answer at once (misses, revalidations, disk hits).
///
/// Without it, such a request's task runs on the global concurrent pool, and every `await` can hop between that
/// pool, the client connection's event loop and the upstream connection's loop, several thread switches per
/// request. Preferring the connection's own loop keeps the request on one thread, as an nginx worker does: the
/// upstream client takes its connection from the pool of the calling loop (`UpstreamClient`), so the upstream
/// connection is taken (or opened) on the same loop too.
///
/// Blocking work must not run here: disk reads and writes already go to the node's I/O thread pool, and tasks
/// started with a plain `Task {}` (background compression, refreshes) do not inherit the preference.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
