/// Why the dev origin cannot be set up or started. Rules file problems are thrown as `RulesError`.
public enum DevOriginError: Error, Equatable, Sendable, CustomStringConvertible {
    case rootNotFound(String)
    case rootNotDirectory(String)
    case invalidPort(Int)
    case bindFailed(host: String, port: Int, reason: String)
    /// `stop()` ran while a `start()` was still binding.
    case stoppedWhileStarting

    public var description: String {
        switch self {
        case .rootNotFound(let root):
            return "origin root \"\(root)\" does not exist"
        case .rootNotDirectory(let root):
            return "origin root \"\(root)\" is not a directory"
        case .invalidPort(let port):
            return "origin port \(port) is outside 0...65535"
        case .bindFailed(let host, let port, let reason):
            return "origin cannot listen on \(host):\(port): \(reason)"
        case .stoppedWhileStarting:
            return "origin was stopped before it finished starting"
        }
    }
}
