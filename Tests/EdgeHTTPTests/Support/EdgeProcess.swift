import Foundation

/// The built `edge` executable, run as a real child process.
struct EdgeProcess {
    let process: Process
    let output: URL

    /// `.build/<config>/edge`, next to the test bundle; `EDGE_TEST_EXECUTABLE` names another build (e.g. one of
    /// the previous commit, to see a new test fail on the old code).
    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["EDGE_TEST_EXECUTABLE"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("edge")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/edge")
    }

    /// Starts `edge ARGS...`, with standard output and error captured to a file in `directory`.
    static func start(_ arguments: [String], in directory: URL, logName: String) throws -> EdgeProcess {
        let output = directory.appendingPathComponent("\(logName).log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return EdgeProcess(process: process, output: output)
    }

    /// Runs `edge ARGS...` to completion; returns its exit status and combined output.
    static func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let started = try start(arguments, in: directory, logName: "run-\(UUID().uuidString.prefix(8))")
        started.process.waitUntilExit()
        return (started.process.terminationStatus, started.log)
    }

    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit (up to `seconds`) off the cooperative pool; its status, or nil.
    func waitForExit(seconds: Double) async -> Int32? {
        let process = self.process
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let deadline = Date().addingTimeInterval(seconds)
                while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
                continuation.resume(returning: process.isRunning ? nil : process.terminationStatus)
            }
        }
    }

    /// Waits until something accepts connections on the port.
    static func waitForListener(port: Int, seconds: Double = 20) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? RawConnection(port: port)) != nil { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ListenerTimeout(port: port)
    }

    /// Waits until this process accepts connections on `port`. Fails at once, with the process's output, if it
    /// exits first (a node that could not bind, or refused its config), instead of polling a dead port for
    /// `seconds`.
    func waitForListener(port: Int, seconds: Double = 20) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? RawConnection(port: port)) != nil { return }
            if !process.isRunning { throw ExitedBeforeListening(port: port, status: process.terminationStatus, log: log) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ListenerTimeout(port: port)
    }

    /// The process exited before it listened; `log` is its output.
    struct ExitedBeforeListening: Error, CustomStringConvertible {
        var port: Int
        var status: Int32
        var log: String
        /// Another process took the port between `freePort()` and the node's bind: a harness race, worth a retry
        /// with fresh ports rather than a failed test.
        var lostPortRace: Bool { log.contains("Address already in use") }
        var description: String { "exited with status \(status) before listening on 127.0.0.1:\(port); its output:\n\(log)" }
    }

    struct ListenerTimeout: Error, CustomStringConvertible {
        var port: Int
        var description: String { "nothing listened on 127.0.0.1:\(port) in time" }
    }
}

/// A free TCP port on 127.0.0.1, found by binding port 0 and closing the socket again.
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var bound = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &bound) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: bound.sin_port))
}

/// A port free for both TCP and UDP on 127.0.0.1 (for listeners that bind both, like DNS, or UDP only, like
/// gossip): `freePort()` checks TCP only, and a UDP socket may already hold the same number.
func freeTCPAndUDPPort() -> Int {
    for _ in 0..<50 {
        let port = freePort()
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if bound == 0 { return port }
    }
    return freePort()
}
