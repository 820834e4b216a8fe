import ArgumentParser
import Dispatch
import EdgeConfig
import EdgeOrigin
import EdgeRuntime
import Foundation
import Logging
import ServiceLifecycle

/// `edge origin`: the development origin server that the demo cluster and the tests put behind the edges.
struct OriginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "origin",
        abstract: "Run the dev origin: static files with validators and Cache-Control from a rules file.",
        discussion: """
            Either name the content directly (`edge origin --root origin/site --rules origin/rules.conf \
            --port 8080`) or take an `[[origins]]` entry with a root from the configuration file \
            (`edge origin --config edge.conf --name origin-1`). Paths outside the root are never served.
            """
    )

    @Option(name: .long, help: "The configuration file to read the origin from (with --name).")
    var config: String?

    @Option(name: .long, help: "The [[origins]] entry to run; defaults to the first one with a root.")
    var name: String?

    @Option(name: .long, help: "The directory to serve.")
    var root: String?

    @Option(name: .long, help: "The rules file (Cache-Control, validators, extra headers per path).")
    var rules: String?

    @Option(name: .long, help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "The port to listen on (0 picks a free one).")
    var port: Int = 8080

    func run() async throws {
        bootstrapLogging(level: .info)
        let logger = Logger(label: "edge.origin")
        let settings: DevOriginSettings
        do {
            settings = try resolveSettings()
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
        // nginx's habits (HUP to reload, USR1 to reopen logs; `edge up` and the chaos run's reload scenario send
        // them to whole clusters) must not end the dev origin, as their default actions would: it reads its rules
        // at start and logs to standard error, so each is logged and otherwise ignored.
        let signals = [(SIGHUP, "SIGHUP"), (SIGUSR1, "SIGUSR1")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                logger.notice("""
                    signal \(name) ignored: the dev origin reads its rules at start and logs to standard error; \
                    restart it to change them
                    """)
            }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        do {
            let server = try DevOriginServer(settings: settings, logger: logger)
            let services = ServiceGroup(configuration: .init(
                services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await services.run()
        } catch {
            printError("edge origin: \(error)")
            throw ExitCode.failure
        }
    }

    private func resolveSettings() throws -> DevOriginSettings {
        if let root {
            return DevOriginSettings(root: root, rulesPath: rules, host: host, port: port)
        }
        guard let config else {
            throw ValidationError("give either --root DIR or --config FILE [--name ORIGIN]")
        }
        let configuration = try ConfigLoader.load(path: config)
        let candidates = configuration.origins.filter(\.isDevOrigin)
        guard let origin = name.map({ wanted in candidates.first { $0.name == wanted } }) ?? candidates.first,
              let originRoot = origin.root else {
            throw ValidationError("\(config): no [[origins]] entry \(name.map { "named \"\($0)\" " } ?? "")with a root")
        }
        let listenHost = origin.listen?.host ?? origin.endpoint.host
        let listenPort = origin.listen?.port ?? origin.endpoint.port
        return DevOriginSettings(root: originRoot, rulesPath: rules ?? origin.rules, host: listenHost, port: listenPort)
    }
}
