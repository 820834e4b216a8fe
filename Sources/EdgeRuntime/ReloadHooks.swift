import EdgeConfig
import Synchronization

/// What the parts built beside the HTTP node (the admin listener, the DNS responder) do with a reloaded
/// configuration, registered once while the node is assembled.
///
/// Two phases, so a reload is all or nothing: every hook first checks the new configuration and returns what
/// it will do (throwing refuses the whole reload, and nothing has changed yet), then the reloader runs every
/// returned action.
final class ReloadHooks: Sendable {
    /// Checks `configuration` (with this node's entry) and returns the change to apply; throws to refuse.
    typealias Hook = @Sendable (_ configuration: EdgeConfiguration, _ node: NodeConfiguration) throws
        -> @Sendable () -> Void

    private let hooks = Mutex<[Hook]>([])

    func register(_ hook: @escaping Hook) {
        hooks.withLock { $0.append(hook) }
    }

    /// Every hook's action for `configuration`, or the first refusal.
    func prepare(_ configuration: EdgeConfiguration, node: NodeConfiguration) throws -> [@Sendable () -> Void] {
        try hooks.withLock { $0 }.map { try $0(configuration, node) }
    }
}
