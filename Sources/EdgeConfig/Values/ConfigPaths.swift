/// Lexical path handling for paths written in edge.conf.
///
/// Relative paths are relative to the configuration file, not to the working directory, so `edge --config
/// /etc/edge/edge.conf` behaves the same whatever directory it is started from. Purely textual: no file system
/// access, no symlink resolution.
public enum ConfigPaths {
    /// The directory part of `file` (`""` when it has none, `"/"` for a file at the root).
    public static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "" }
        if slash == file.startIndex { return "/" }
        return String(file[..<slash])
    }

    /// `path` if absolute, else `path` under `base`; `.` and `..` segments and doubled slashes are folded.
    public static func resolve(_ path: String, against base: String) -> String {
        let joined = path.hasPrefix("/") || base.isEmpty ? path : base + "/" + path
        return normalize(joined)
    }

    public static func normalize(_ path: String) -> String {
        let isAbsolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for segment in path.split(separator: "/") {
            switch segment {
            case ".":
                continue
            case "..":
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !isAbsolute {
                    parts.append(segment)
                }
            default:
                parts.append(segment)
            }
        }
        let body = parts.joined(separator: "/")
        if isAbsolute { return "/" + body }
        return body.isEmpty ? "." : body
    }

    /// `path` relative to `base` when it lies inside it, for short summaries; otherwise `path` unchanged.
    public static func display(_ path: String, relativeTo base: String) -> String {
        guard !base.isEmpty else { return path }
        let prefix = base.hasSuffix("/") ? base : base + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
