import EdgeCore
import Foundation

/// Starts child processes, prefixes their output, restarts one that dies (with back-off) or reports it, and
/// stops them all on a signal.
final class Supervisor: @unchecked Sendable {
    private let executable: String
    /// Whether a child that dies once the cluster is running is started again (`edge up` without `--no-restart`).
    private let restarts: Bool
    private let lock = NSLock()
    private var children: [(plan: ProcessPlan, process: Process)] = []
    private var backoffs: [String: RestartBackoff] = [:]
    private var supervising = false
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    init(executable: String, restarts: Bool = true) {
        self.executable = executable
        self.restarts = restarts
    }

    /// Runs the plans until a signal or (without restarts) until every child has exited; returns the exit code
    /// for `edge up`.
    func run(_ plans: [ProcessPlan], startupTimeout: Double) -> Int32 {
        let signals = installSignalHandlers()
        defer { signals.forEach { $0.cancel() } }

        for plan in plans {
            do {
                lock.lock()
                defer { lock.unlock() }
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
        lock.withLock { supervising = true }
        finished.wait()
        return lock.withLock { stopping } ? 0 : 1
    }

    /// Starts one child; the caller holds `lock`.
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
        children.removeAll { $0.plan.name == plan.name }
        children.append((plan, process))
        backoffs[plan.name, default: RestartBackoff()].started(at: Self.now())
    }

    private func childExited(plan: ProcessPlan, process: Process) {
        let exit = ProcessExit(reason: process.terminationReason, status: process.terminationStatus)
        let (isStopping, restart, delay, remaining) = lock.withLock { () -> (Bool, Bool, Double, Int) in
            let restart = restarts && supervising && !stopping
            let delay = restart ? backoffs[plan.name, default: RestartBackoff()].delayAfterExit(at: Self.now()) : 0
            return (stopping, restart, delay, children.filter { $0.process.isRunning }.count)
        }
        if isStopping {
            if remaining == 0 { finished.signal() }
            return
        }
        if restart {
            printError("edge up: \(plan.name) \(exit); restarting in \(Self.format(delay))")
            DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in
                self?.restart(plan)
            }
        } else {
            printError("edge up: \(plan.name) \(exit); not restarting it")
            if remaining == 0 { finished.signal() }
        }
    }

    private func restart(_ plan: ProcessPlan) {
        do {
            lock.lock()
            defer { lock.unlock() }
            guard !stopping else { return }
            try start(plan)
        } catch {
            printError("edge up: cannot restart \(plan.name): \(error)")
            let delay = lock.withLock { backoffs[plan.name, default: RestartBackoff()].delayAfterExit(at: Self.now()) }
            DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in self?.restart(plan) }
        }
    }

    private static func now() -> Double { Date().timeIntervalSince1970 }

    /// `0.5s`, `2s`: a delay as the restart message shows it.
    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
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
                Console.line("\nedge up: stopping every process")
                self.stopAll()
                self.finished.signal()
            }
            source.resume()
            return source
        } + [forwardSIGHUP()]
    }

    /// SIGHUP to `edge up` reloads every node (each `edge run` child gets SIGHUP and re-reads the file); dev
    /// origins are left alone. Without this, SIGHUP's default action would end `edge up` itself.
    private func forwardSIGHUP() -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            let nodes = self.lock.withLock {
                self.children.filter { $0.plan.arguments.first == "run" && $0.process.isRunning }
            }
            Console.line("edge up: reloading \(nodes.map(\.plan.name).joined(separator: ", "))")
            for node in nodes { kill(node.process.processIdentifier, SIGHUP) }
        }
        source.resume()
        return source
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

/// How a child process ended, as `edge up` reports it: "killed by SIGKILL", "exited with status 1".
struct ProcessExit: CustomStringConvertible {
    var reason: Process.TerminationReason
    var status: Int32

    var description: String {
        switch reason {
        case .uncaughtSignal: return "killed by \(Self.signalName(status))"
        case .exit: return "exited with status \(status)"
        @unknown default: return "ended with status \(status)"
        }
    }

    /// The conventional name of a signal number on this platform, or `signal N` for one without a name here.
    static func signalName(_ number: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
            SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
            SIGSTOP: "SIGSTOP", SIGTSTP: "SIGTSTP", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
        ]
        return names[number] ?? "signal \(number)"
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
