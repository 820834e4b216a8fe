import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium driven over the DevTools protocol, for tests that must act in a page as a user does
/// (fill a form, click, wait for what the page draws) rather than only read its DOM.
///
/// Uses `--remote-debugging-pipe`: Chromium reads commands from its fd 3 and writes replies and events to its fd
/// 4, each message a JSON object ended by a NUL byte. No port, no WebSocket client, nothing another process on
/// the machine can reach. A reader thread collects replies by `id`; events are ignored.
final class ChromiumDevTools: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case spawn(Int32)
        case closed
        case timedOut(String)
        case protocolError(String)

        var description: String {
            switch self {
            case .spawn(let code): "could not start Chromium (posix_spawn \(code))"
            case .closed: "Chromium closed its DevTools pipe"
            case .timedOut(let method): "no DevTools reply to \(method) in time"
            case .protocolError(let message): "DevTools error: \(message)"
            }
        }
    }

    private let pid: pid_t
    private let commands: Int32
    private let replies: Int32
    private let profile: String
    private let state = Mutex(State())

    private struct State {
        var nextID = 1
        var waiting: [Int: CheckedContinuation<Data, any Error>] = [:]
        var closed = false
    }

    /// Starts `executable` headless with a private profile and the DevTools pipe.
    init(executable: String) throws {
        var toChrome: [Int32] = [0, 0]
        var fromChrome: [Int32] = [0, 0]
        guard pipe(&toChrome) == 0, pipe(&fromChrome) == 0 else { throw Failure.spawn(errno) }
        // Close-on-exec, so Chromium inherits only the two ends placed at fds 3 and 4 below.
        for fd in toChrome + fromChrome { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let profile = NSTemporaryDirectory() + "edge-chromium-" + UUID().uuidString
        let arguments = [
            executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--disable-dev-shm-usage", "--user-data-dir=\(profile)", "--remote-debugging-pipe", "about:blank",
        ]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copies: the child keeps exactly fds 3 and 4 of these pipes.
        posix_spawn_file_actions_adddup2(&actions, toChrome[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromChrome[1], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        Glibc.close(toChrome[0])
        Glibc.close(fromChrome[1])
        guard spawned == 0 else {
            Glibc.close(toChrome[1])
            Glibc.close(fromChrome[0])
            throw Failure.spawn(spawned)
        }
        self.pid = pid
        self.commands = toChrome[1]
        self.replies = fromChrome[0]
        self.profile = profile
        Thread { [self] in readReplies() }.start()
    }

    /// Sends `method` (to the page of `session`, or to the browser) and returns the reply's `result` as JSON.
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:], session: String? = nil,
              timeout: Duration = .seconds(20)) async throws -> Data {
        let id = state.withLock { state -> Int in
            defer { state.nextID += 1 }
            return state.nextID
        }
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { message["sessionId"] = session }
        let bytes = try JSONSerialization.data(withJSONObject: message) + [0]
        let timer = Task { [self] in
            try await Task.sleep(for: timeout)
            fail(id, with: Failure.timedOut(method))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let closed = state.withLock { state -> Bool in
                if state.closed { return true }
                state.waiting[id] = continuation
                return false
            }
            if closed { continuation.resume(throwing: Failure.closed); return }
            let written = bytes.withUnsafeBytes { raw -> Bool in
                guard let base = raw.baseAddress else { return false }
                var offset = 0
                while offset < raw.count {
                    let count = write(commands, base + offset, raw.count - offset)
                    if count <= 0 { return false }
                    offset += count
                }
                return true
            }
            if !written { fail(id, with: Failure.closed) }
        }
    }

    /// Opens `url` in a new page of `width` x `height` CSS pixels; returns the session to address it with.
    func openPage(_ url: String, width: Int = 1400, height: Int = 2400) async throws -> String {
        let created = try Self.object(try await call("Target.createTarget", ["url": "about:blank"]))
        guard let target = created["targetId"] as? String else { throw Failure.protocolError("no targetId") }
        let attached = try Self.object(try await call("Target.attachToTarget", ["targetId": target, "flatten": true]))
        guard let session = attached["sessionId"] as? String else { throw Failure.protocolError("no sessionId") }
        try await call("Emulation.setDeviceMetricsOverride",
                       ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false], session: session)
        try await call("Page.navigate", ["url": url], session: session)
        return session
    }

    /// Evaluates `expression` in the page and returns its value as JSON text (`null` for undefined).
    func evaluate(_ expression: String, session: String) async throws -> String {
        let reply = try Self.object(try await call(
            "Runtime.evaluate", ["expression": "JSON.stringify(\(expression))", "returnByValue": true,
                                 "awaitPromise": true], session: session))
        if let exception = reply["exceptionDetails"] as? [String: Any] {
            throw Failure.protocolError("\(exception["text"] ?? "exception") in \(expression)")
        }
        let result = reply["result"] as? [String: Any]
        return (result?["value"] as? String) ?? "null"
    }

    /// Polls `expression` every 100 ms until it is truthy in the page; false when `timeout` passes first.
    func waitUntil(_ expression: String, session: String, timeout: Duration = .seconds(15)) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            // An exception (the page still loading: no body yet) counts as not yet.
            let probe = "(function () { try { return !!(\(expression)); } catch (e) { return false; } })()"
            if try await evaluate(probe, session: session) == "true" { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// A PNG of the whole page.
    func screenshot(session: String) async throws -> Data {
        let reply = try Self.object(try await call("Page.captureScreenshot",
                                                   ["format": "png", "captureBeyondViewport": true], session: session))
        guard let encoded = reply["data"] as? String, let png = Data(base64Encoded: encoded) else {
            throw Failure.protocolError("no screenshot data")
        }
        return png
    }

    /// Ends Chromium and removes its profile.
    func close() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        Glibc.close(commands)
        try? FileManager.default.removeItem(atPath: profile)
    }

    private static func object(_ data: Data) throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    private func fail(_ id: Int, with error: any Error) {
        state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(throwing: error)
    }

    /// Runs on its own thread until Chromium closes fd 4: splits the stream at NUL bytes and hands each reply
    /// to the call waiting for its id.
    private func readReplies() {
        var pending = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(replies, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            pending.append(contentsOf: chunk[0..<count])
            while let end = pending.firstIndex(of: 0) {
                let message = Data(pending[..<end])
                pending.removeSubrange(...end)
                deliver(message)
            }
        }
        Glibc.close(replies)
        let waiting = state.withLock { state -> [CheckedContinuation<Data, any Error>] in
            state.closed = true
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        waiting.forEach { $0.resume(throwing: Failure.closed) }
    }

    private func deliver(_ message: Data) {
        guard let object = try? Self.object(message), let id = object["id"] as? Int else { return }
        guard let continuation = state.withLock({ $0.waiting.removeValue(forKey: id) }) else { return }
        if let error = object["error"] as? [String: Any] {
            continuation.resume(throwing: Failure.protocolError("\(error["message"] ?? error)"))
            return
        }
        let result = object["result"] ?? [String: Any]()
        continuation.resume(returning: (try? JSONSerialization.data(withJSONObject: result)) ?? Data("{}".utf8))
    }
}
