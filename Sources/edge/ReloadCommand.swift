import ArgumentParser
import EdgeConfig
import EdgeRuntime
import Foundation

/// `edge reload --config edge.conf --node NAME`: ask a running node to re-read its configuration (SIGHUP).
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make a running node re-read the configuration file (sends it SIGHUP).",
        discussion: """
            The file is checked first: if it is invalid nothing is sent and the error is printed (exit 1). The \
            node is found through its pid file (<disk_path>.pid, or $TMPDIR/edge-pid/<node>.pid without a disk \
            tier). The node logs one line saying what it applied and what needs a restart.
            """
    )

    @Option(name: .long, help: "The cluster configuration file.")
    var config: String = "edge.conf"

    @Option(name: .long, help: "The name of the node to reload, as listed in the configuration file.")
    var node: String

    func run() throws {
        let nodeConfiguration: NodeConfiguration
        do {
            nodeConfiguration = try ConfigLoader.load(path: config).node(named: node)
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
        let path = PidFile.path(for: nodeConfiguration)
        guard let pid = PidFile.read(at: path), pid > 0 else {
            printError("edge reload: no pid file for \(node) at \(path); is the node running?")
            throw ExitCode.failure
        }
        guard kill(pid, SIGHUP) == 0 else {
            printError("edge reload: cannot signal \(node) (pid \(pid) from \(path)): \(String(cString: strerror(errno)))")
            throw ExitCode.failure
        }
        print("edge reload: sent SIGHUP to \(node) (pid \(pid)); the node logs what it applied")
    }
}
