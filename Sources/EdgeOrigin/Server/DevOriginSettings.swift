/// Where the dev origin serves from and how it is reached.
public struct DevOriginSettings: Sendable, Equatable {
    /// The directory served; requests never reach outside it.
    public var root: String
    /// The rules file (see `origin/rules.conf`); `nil` serves every path with the built-in defaults.
    public var rulesPath: String?
    /// Loopback by default: this is a test fixture, not something to expose.
    public var host: String
    /// 0 picks an ephemeral port; `DevOriginServer.start()` returns the one bound.
    public var port: Int
    /// A path under `root` where the deterministic large download is generated on start when missing, so a fresh
    /// checkout serves it with no build step; `nil` to skip.
    public var largeFile: String?

    public init(root: String, rulesPath: String? = nil, host: String = "127.0.0.1", port: Int = 0,
                largeFile: String? = LargeFile.defaultRelativePath) {
        self.root = root
        self.rulesPath = rulesPath
        self.host = host
        self.port = port
        self.largeFile = largeFile
    }
}
