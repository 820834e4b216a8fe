import Dispatch
import EdgeConfig
import EdgeHTTP
import Foundation
import Logging
import Synchronization

/// SIGHUP reloads the node's configuration (nginx's and Varnish's habit): the file is read and validated
/// again, and every part built beside the HTTP node checks it too (`ReloadHooks`); if anything refuses it the
/// running configuration stays whole and the error is logged with file:line: key; if it is valid the live keys
/// (see `ReloadPlan`) take effect, and what needs a restart is named in the log line. Connections, cache
/// contents and gossip membership are untouched: nothing is rebuilt.
final class NodeReloader: Sendable {
    private let path: String
    private let nodeName: String
    private let node: EdgeNode
    private let logger: Logger
    /// `--log-level` given on the command line wins over the file's level, across reloads too.
    private let fixedLogLevel: Bool
    /// What the node runs now: the configuration it started with plus the live keys of every reload since.
    private let running: Mutex<EdgeConfiguration>
    /// What the admin listener and DNS responder take from a reload.
    private let hooks: ReloadHooks

    init(path: String, node nodeName: String, running: EdgeConfiguration, edgeNode: EdgeNode, logger: Logger,
         fixedLogLevel: Bool, hooks: ReloadHooks = ReloadHooks()) {
        self.hooks = hooks
        self.path = path
        self.nodeName = nodeName
        self.node = edgeNode
        self.logger = logger
        self.fixedLogLevel = fixedLogLevel
        self.running = Mutex(running)
    }

    /// Starts handling SIGHUP; keep the returned source alive for as long as the node runs.
    ///
    /// SIGHUP's default action is to end the process (exit 129): it is ignored first, so a SIGHUP that arrives
    /// before or after this handler exists never takes the node down.
    static func ignoreSIGHUP() {
        signal(SIGHUP, SIG_IGN)
    }

    func handleSIGHUP() -> any DispatchSourceSignal {
        Self.ignoreSIGHUP()
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "edge.reload"))
        source.setEventHandler { [self] in reload() }
        source.resume()
        return source
    }

    /// Re-reads the file and applies what can change live; returns the plan (`nil` when the file was refused).
    @discardableResult
    func reload() -> ReloadPlan? {
        let new: EdgeConfiguration
        let nodeConfiguration: NodeConfiguration
        let settings: EdgeNodeSettings
        let actions: [@Sendable () -> Void]
        let old = running.withLock { $0 }
        do {
            new = try ConfigLoader.load(path: path)
            nodeConfiguration = try new.node(named: nodeName)
            // A new role needs a restart (the plan says so); until then the tier, the shield list and the
            // headers stripped stay those of the role the node runs.
            var effective = nodeConfiguration
            if let runningRole = old.nodes.first(where: { $0.name == nodeName })?.role { effective.role = runningRole }
            settings = try NodeSettingsMapper.settings(for: effective, in: new)
            actions = try hooks.prepare(new, node: nodeConfiguration)
        } catch {
            logger.error("reload: \(error); keeping the running configuration")
            return nil
        }
        let plan = ReloadPlan(from: old, to: new, node: nodeName)
        for problem in node.applyLive(settings) {
            logger.error("reload: \(problem)")
        }
        for action in actions { action() }
        if let https = settings.https, let secure = node.secureServer {
            // Always, not only when the entries changed: a renewed certificate usually keeps its path. Loaded
            // and checked by the mapping above; new handshakes get it, open connections keep theirs.
            secure.tls?.store.replace(with: https.tls.store)
            // The entries' redirect_http and hsts go with them.
            node.engine.httpsHosts.replace(https.hosts)
            logger.info("reload: certificates reread", metadata: ["entries": "\(new.tls.certificates.count)"])
        }
        if plan.live.contains(where: { $0.hasPrefix("cache.memory_") }) {
            // Blocking (demotions write to disk), which this queue may do: it is neither an event loop nor the
            // cooperative pool.
            let left = node.store.resizeMemory(capacityBytes: settings.memoryCapacityBytes,
                                               maxObjectBytes: settings.memoryMaxObjectBytes)
            if left > 0 { logger.info("reload: memory tier resized", metadata: ["evicted": "\(left)"]) }
        }
        if !fixedLogLevel, let level = Logger.Level(rawValue: nodeConfiguration.logging.level.rawValue) {
            LiveLogLevel.shared.level = level
        }
        running.withLock { $0 = ReloadPlan.running(old, takingLiveKeysFrom: new, node: nodeName) }
        if plan.needsRestart.isEmpty {
            logger.notice("\(plan.summary)")
        } else {
            logger.warning("\(plan.summary)")
        }
        return plan
    }
}
