import Foundation

/// Runs the system `brotli` and `gzip` commands on files, to check our streams against the reference
/// implementations both ways. Files rather than pipes: a multi-MiB body through two pipes deadlocks
/// unless both ends are pumped concurrently.
enum SystemTool {
    static func path(of tool: String) -> String? {
        for directory in ["/usr/bin", "/bin", "/usr/local/bin"] {
            let candidate = directory + "/" + tool
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `tool arguments... inputFile` with stdout into a file and returns what it wrote.
    static func run(_ tool: String, _ arguments: [String], input: [UInt8]) throws -> [UInt8] {
        guard let executable = path(of: tool) else {
            throw Failure(description: "\(tool) is not installed (Debian: apt-get install \(tool))")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("edge-compression-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("input")
        let outputURL = directory.appendingPathComponent("output")
        try Data(input).write(to: inputURL)
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw Failure(description: "cannot create \(outputURL.path)")
        }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + [inputURL.path]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let command = ([tool] + arguments).joined(separator: " ")
            throw Failure(description: "\(command) exited \(process.terminationStatus)")
        }
        return Array(try Data(contentsOf: outputURL))
    }
}
