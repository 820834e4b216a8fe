import Foundation

/// The real `curl` as a client, for what a browser-like client does with our codings (`--compressed`
/// decodes br and gzip with curl's own libraries). Output goes to files, and the wait happens off the
/// test's cooperative threads, which the edge under test needs.
enum Curl {
    struct Result {
        var status: Int
        /// Header lines of the last response, names lowercased.
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name == name.lowercased() }?.value
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") }

    static func get(_ url: String, arguments: [String] = []) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let headersFile = directory.appendingPathComponent("headers")
        let bodyFile = directory.appendingPathComponent("body")
        let status = try await run("/usr/bin/curl", ["-sS", "--max-time", "20", "-D", headersFile.path,
                                                     "-o", bodyFile.path] + arguments + [url])
        guard status == 0 else { throw Failure(description: "curl \(arguments) \(url) exited \(status)") }
        let headerText = try String(contentsOf: headersFile, encoding: .utf8)
        // With redirects or 100-continue there may be several heads; the last one is the response.
        let head = headerText.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }.last ?? ""
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.isEmpty ? "" : lines.removeFirst()
        let code = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Result(status: code, headers: headers, body: Array(try Data(contentsOf: bodyFile)))
    }

    /// A download's size and timings (curl's `-w`), in bytes and seconds since the request started.
    struct Transfer {
        var bytes: Int
        var firstByte: Double
        var total: Double
    }

    /// GETs `url` with the body thrown away (large downloads): its headers, and how many body bytes came.
    static func download(_ url: String, arguments: [String] = []) async throws -> (result: Result, bytes: Int) {
        let (result, transfer) = try await transfer(url, arguments: arguments)
        return (result, transfer.bytes)
    }

    /// As `download`, with the time to the first byte and the total time.
    static func transfer(_ url: String, arguments: [String] = []) async throws -> (result: Result, transfer: Transfer) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let headersFile = directory.appendingPathComponent("headers")
        let sizeFile = directory.appendingPathComponent("size")
        let status = try await run("/usr/bin/curl", ["-sS", "--max-time", "60", "-D", headersFile.path,
                                                     "-o", "/dev/null", "-w",
                                                     "%{size_download} %{time_starttransfer} %{time_total}"]
                                       + arguments + [url],
                                   stdout: sizeFile)
        guard status == 0 else { throw Failure(description: "curl \(arguments) \(url) exited \(status)") }
        let head = (try String(contentsOf: headersFile, encoding: .utf8)).components(separatedBy: "\r\n\r\n")
            .filter { !$0.isEmpty }.last ?? ""
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.isEmpty ? "" : lines.removeFirst()
        let code = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let figures = (try String(contentsOf: sizeFile, encoding: .utf8)).split(separator: " ")
        let transfer = Transfer(bytes: figures.first.flatMap { Int($0) } ?? -1,
                                firstByte: figures.dropFirst().first.flatMap { Double($0) } ?? -1,
                                total: figures.dropFirst(2).first.flatMap { Double($0) } ?? -1)
        return (Result(status: code, headers: headers, body: []), transfer)
    }

    /// Runs a tool on files (`brotli -d`, `gzip -d`) and returns its stdout.
    static func tool(_ path: String, _ arguments: [String], input: [UInt8]) async throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("input")
        let outputFile = directory.appendingPathComponent("output")
        try Data(input).write(to: inputFile)
        let status = try await run(path, arguments + ["-o", outputFile.path, inputFile.path])
        guard status == 0 else { throw Failure(description: "\(path) \(arguments) exited \(status)") }
        return Array(try Data(contentsOf: outputFile))
    }

    private static func run(_ executable: String, _ arguments: [String], stdout: URL? = nil) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let stdout {
            FileManager.default.createFile(atPath: stdout.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: stdout)
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        process.standardError = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
