import Foundation

/// Starts child processes, prefixes their output, reports exits, and stops them all on a signal.
final class Supervisor: @unchecked Sendable {
    private let executable: String
    private let lock = NSLock()
    private var children: [(plan: ProcessPlan, process: Process)] = []
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    init(executable: String) {
        self.executable = executable
    }

    /// Runs the plans until a signal or until every child has exited; returns the exit code for `edge up`.
    func run(_ plans: [ProcessPlan], startupTimeout: Double) -> Int32 {
        let signals = installSignalHandlers()
        defer { signals.forEach { $0.cancel() } }

        for plan in plans {
            do {
                try start(plan)
            } catch {
                printError("edge up: cannot start \(plan.name): \(error)")
                stopAll()
                return 1
            }
        }
        let deadline = Date().addingTimeInterval(startupTimeout)
        for plan in plans {
            while !PortProbe.accepts(host: plan.host, port: plan.port) {
                if exitedChild() != nil || Date() > deadline {
                    printError("edge up: \(plan.name) did not start listening on \(plan.host):\(plan.port); stopping")
                    stopAll()
                    return 1
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        var table = "edge up: cluster running (Ctrl-C to stop)\n"
        for plan in plans {
            table += "  \(plan.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(plan.url)\n"
        }
        FileHandle.standardOutput.write(Data(table.utf8))
        finished.wait()
        return lock.withLock { stopping } ? 0 : 1
    }

    private func start(_ plan: ProcessPlan) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = plan.arguments
        process.standardOutput = prefixedPipe(plan.name, to: FileHandle.standardOutput)
        process.standardError = prefixedPipe(plan.name, to: FileHandle.standardError)
        process.terminationHandler = { [weak self] process in
            self?.childExited(plan: plan, process: process)
        }
        try process.run()
        lock.withLock { children.append((plan, process)) }
    }

    private func childExited(plan: ProcessPlan, process: Process) {
        let (isStopping, remaining) = lock.withLock { () -> (Bool, Int) in
            (stopping, children.filter { $0.process.isRunning }.count)
        }
        if !isStopping {
            printError("edge up: \(plan.name) exited with status \(process.terminationStatus); not restarting it")
        }
        if remaining == 0 { finished.signal() }
    }

    private func exitedChild() -> ProcessPlan? {
        lock.withLock { children.first { !$0.process.isRunning }?.plan }
    }

    /// Sends SIGTERM to every child (they drain and exit), and SIGKILL to any still running after 20 s.
    func stopAll() {
        let running = lock.withLock { () -> [Process] in
            stopping = true
            return children.map(\.process).filter(\.isRunning)
        }
        for process in running { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(20)
        while running.contains(where: \.isRunning) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        for process in running where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for process in running { process.waitUntilExit() }
    }

    private func installSignalHandlers() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                print("\nedge up: stopping every process")
                self.stopAll()
                self.finished.signal()
            }
            source.resume()
            return source
        }
    }

    /// A pipe whose lines are copied to `destination` as `[name] line`.
    private func prefixedPipe(_ name: String, to destination: FileHandle) -> Pipe {
        let pipe = Pipe()
        let splitter = LinePrefixer(prefix: "[\(name)] ", destination: destination)
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                splitter.finish()
                handle.readabilityHandler = nil
            } else {
                splitter.append(chunk)
            }
        }
        return pipe
    }
}

/// Copies whole lines to a destination with a prefix, holding back a partial last line.
final class LinePrefixer: @unchecked Sendable {
    private let prefix: Data
    private let destination: FileHandle
    private let lock = NSLock()
    private var pending = Data()

    init(prefix: String, destination: FileHandle) {
        self.prefix = Data(prefix.utf8)
        self.destination = destination
    }

    func append(_ chunk: Data) {
        lock.withLock {
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                destination.write(prefix + pending[pending.startIndex...newline])
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
    }

    func finish() {
        lock.withLock {
            if !pending.isEmpty { destination.write(prefix + pending + Data("\n".utf8)) }
            pending.removeAll()
        }
    }
}

/// Whether something accepts TCP connections on host:port.
enum PortProbe {
    static func accepts(host: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else { return false }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }
}
