import EdgeConfig
import Foundation

/// Where a running node writes its process id, so `edge reload` (and an operator's `kill -HUP $(cat …)`) can
/// find it: beside the node's disk tier (`<disk_path>.pid`, the way its body spool sits beside it), or under
/// the temporary directory (`edge-pid/<node>.pid`) when it has no disk tier.
public enum PidFile {
    public static func path(for node: NodeConfiguration) -> String {
        var diskPath = node.cache.diskPath
        while diskPath.count > 1 && diskPath.hasSuffix("/") { diskPath.removeLast() }
        if node.cache.diskSize > 0 && !diskPath.isEmpty { return diskPath + ".pid" }
        return FileManager.default.temporaryDirectory.appendingPathComponent("edge-pid")
            .appendingPathComponent(node.name + ".pid").path
    }

    /// Writes this process's id; a failure is returned for the caller to log (the node serves all the same).
    public static func write(to path: String) -> String? {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try "\(getpid())\n".write(to: url, atomically: true, encoding: .utf8)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Removes the file if it still names this process (a newer process of the same node may have replaced it).
    public static func remove(at path: String) {
        if read(at: path) == getpid() { try? FileManager.default.removeItem(atPath: path) }
    }

    public static func read(at path: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
