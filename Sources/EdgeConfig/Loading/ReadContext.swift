/// What every reader of one file shares: the file name for messages, the line index, and the directory that
/// relative paths resolve against.
struct ReadContext {
    let file: String
    let lines: TOMLLineIndex
    let baseDirectory: String

    func error(_ kind: ConfigError.Kind, at path: ConfigKeyPath, _ message: String) -> ConfigError {
        let key = path.description
        return ConfigError(kind: kind, file: file, line: lines.nearestLine(of: path),
                           key: key.isEmpty ? nil : key, message: message)
    }

    func resolvePath(_ path: String) -> String {
        ConfigPaths.resolve(path, against: baseDirectory)
    }
}
