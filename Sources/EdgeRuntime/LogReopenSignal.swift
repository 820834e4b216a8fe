import Dispatch
import EdgeHTTP
import Foundation

/// SIGUSR1 reopens the node's log files, as nginx does: logrotate renames the file (`create`) and signals,
/// and the next lines go to a new file at the old path. Without a handler the signal's default action would end
/// the process.
///
/// The handler lives in a dispatch source, not a C signal handler, so it may take locks and open files. The
/// returned source must be kept alive for as long as the node runs; cancelling it keeps the signal ignored.
/// (The diagnostic log goes to standard error, which the process does not own, so there is nothing of its to
/// reopen.)
enum LogReopenSignal {
    static func install(node: EdgeNode) -> any DispatchSourceSignal {
        signal(SIGUSR1, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: .global())
        source.setEventHandler { node.reopenLogs() }
        source.resume()
        return source
    }
}
