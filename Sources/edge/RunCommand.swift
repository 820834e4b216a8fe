import ArgumentParser
import EdgeConnection
import EdgeConfig
import EdgeRuntime
import NIOCore
import Logging
import NIOPosix

/// `edge run --config edge.conf --node NAME`: run one node of the cluster until SIGTERM or SIGINT.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one node (edge or shield) described in the configuration file.",
        discussion: """
            On SIGTERM or SIGINT the node stops accepting connections, lets in-flight requests finish (up to \
            limits.drain_timeout), writes every buffered access log line and exits 0. SIGUSR1 reopens the access log \
            file (for logrotate). The disk cache survives restarts. On SIGHUP (or `edge reload`) it re-reads the \
            configuration file and applies what can change live; the process id is written to <disk_path>.pid (or \
            $TMPDIR/edge-pid/<node>.pid without a disk tier).
            """
    )

    @Option(name: .long, help: "The cluster configuration file.")
    var config: String = "edge.conf"

    @Option(name: .long, help: "The name of the node to run, as listed in the configuration file.")
    var node: String

    @Option(name: .long, help: "Override the node's log level (trace, debug, info, notice, warning, error).")
    var logLevel: String?

    func run() async throws {
        // Before anything else: a SIGHUP during start-up must not end the process (its default action).
        NodeAssembly.ignoreSIGHUP()
        let configuration: EdgeConfiguration
        let nodeConfiguration: NodeConfiguration
        do {
            configuration = try ConfigLoader.load(path: config)
            nodeConfiguration = try configuration.node(named: node)
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
        let level = Logger.Level(rawValue: logLevel ?? nodeConfiguration.logging.level.rawValue) ?? .info
        bootstrapLogging(level: level)
        var logger = Logger(label: "edge.\(node)")
        logger[metadataKey: "node"] = "\(node)"
        // A CDN node's connections are file descriptors: the soft default (often 1024) would cap it far below
        // what the machine allows, so it is raised to the hard limit before the listeners derive their limits.
        if let limits = FileDescriptorLimit.raiseSoftToHard() {
            logger.info("open file limit", metadata: [
                "soft_before": "\(limits.before.soft)", "soft": "\(limits.after.soft)", "hard": "\(limits.after.hard)"])
        }

        if configuration.cluster.serviceNames.isEmpty {
            logger.warning("""
                [cluster] service_names is empty: this node serves requests for any Host \
                (list the sites it serves to have other hosts refused with 421)
                """)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        do {
            let assembly: NodeAssembly
            do {
                assembly = try NodeAssembly(configuration: configuration, nodeConfiguration: nodeConfiguration,
                                            configPath: config, fixedLogLevel: logLevel != nil,
                                            build: (BuildInfo.version, BuildInfo.commit), group: group,
                                            logger: logger)
            } catch {
                printError("\(error)")
                throw ExitCode.failure
            }
            try await assembly.run()
        } catch let exit as ExitCode {
            try? await group.shutdownGracefully()
            throw exit
        } catch {
            logger.critical("node failed", metadata: ["error": "\(error)"])
            try? await group.shutdownGracefully()
            throw ExitCode.failure
        }
        try await group.shutdownGracefully()
    }
}
