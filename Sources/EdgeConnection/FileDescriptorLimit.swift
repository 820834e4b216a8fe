#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit (RLIMIT_NOFILE), which bounds how many connections a node can hold.
public enum FileDescriptorLimit {
    /// The soft and hard limits now; `nil` when they cannot be read.
    public static func current() -> (soft: Int, hard: Int)? {
        var limit = rlimit()
        guard getrlimit(resourceNoFile, &limit) == 0 else { return nil }
        return (clamp(limit.rlim_cur), clamp(limit.rlim_max))
    }

    /// Raises the soft limit to the hard limit, as servers do at start (the soft default, often 1024, is far below
    /// what a CDN node serves). Returns the limits before and after.
    @discardableResult
    public static func raiseSoftToHard() -> (before: (soft: Int, hard: Int), after: (soft: Int, hard: Int))? {
        guard let before = current() else { return nil }
        var limit = rlimit()
        guard getrlimit(resourceNoFile, &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(resourceNoFile, &limit)
        }
        guard let after = current() else { return nil }
        return (before, after)
    }

    #if canImport(Glibc)
    private static let resourceNoFile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNoFile = RLIMIT_NOFILE
    #endif

    private static func clamp(_ value: rlim_t) -> Int {
        value >= rlim_t(Int.max) ? Int.max : Int(value)
    }
}
