import ArgumentParser

/// `edge`: run a CDN node, the dev origin, or check a configuration.
@main
struct EdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge",
        abstract: "An edge caching CDN node: HTTP caching proxy with memory and disk tiers.",
        discussion: """
            Every node of a cluster is described in one configuration file (edge.conf); `--node` picks the one a \
            process runs. Start with `edge check-config edge.conf`, then `edge origin` and `edge run`.
            """,
        version: BuildInfo.versionLine,
        subcommands: [RunCommand.self, ReloadCommand.self, UpCommand.self, MembersCommand.self, RouteCommand.self,
                      EdgePurgeCommand.self, StatusCommand.self, OriginCommand.self, CheckConfigCommand.self]
    )
}
