import EdgeAdmin
import Foundation
import NIOHTTP1
import Testing

@Suite(.serialized) struct DashboardTests {
    @Test func tokenLoginSetsAnHttpOnlyCookieAndRedirectsItAway() async throws {
        try await withAdminNodes([FakeBackend(name: "edge-1")]) { nodes, http in
            let node = nodes[0]
            node.backend.members = [node.member]
            let login = try await http.request(node.url + "/dashboard?token=\(AdminNode.token)", token: nil)
            #expect(login.status == .seeOther)
            #expect(login.headers.first(name: "location") == "/dashboard")
            let setCookie = try #require(login.headers.first(name: "set-cookie"))
            #expect(setCookie.hasPrefix("edge_admin_session="))
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Strict"))
            #expect(setCookie.contains("Path=/dashboard"))
            #expect(!setCookie.contains(AdminNode.token))
            let cookie = String(setCookie.prefix { $0 != ";" })

            // The cookie opens the page and its data routes...
            let page = try await http.request(node.url + "/dashboard", token: nil, headers: [("cookie", cookie)])
            #expect(page.status == .ok)
            #expect(page.headers.first(name: "content-type") == "text/html; charset=utf-8")
            #expect(page.text.contains("<table id=\"members\">"))
            #expect(page.headers.first(name: "content-security-policy")?.contains("script-src 'nonce-") == true)
            #expect(!page.text.contains("src=\"http"))  // no external assets
            let cluster = try await http.request(node.url + "/dashboard/cluster", token: nil, headers: [("cookie", cookie)])
            #expect(cluster.status == .ok)
            let status = try await http.request(node.url + "/dashboard/status", token: nil, headers: [("cookie", cookie)])
            #expect(status.status == .ok)

            // ...and purges only with the custom header a cross-site form cannot send.
            let forged = try await http.request(node.url + "/dashboard/purge", method: .POST, token: nil,
                                                headers: [("cookie", cookie)], body: #"{"all": true}"#)
            #expect(forged.status == .forbidden)
            #expect(node.backend.commands.isEmpty)
            let purge = try await http.request(node.url + "/dashboard/purge", method: .POST, token: nil,
                                               headers: [("cookie", cookie), ("x-edge-admin", "1")],
                                               body: #"{"tag": "t"}"#)
            #expect(purge.status == .ok)
            #expect(node.backend.commands.map(\.scope) == [.tag("t")])

            // A wrong token gets no cookie; a made-up cookie opens nothing.
            let wrong = try await http.request(node.url + "/dashboard?token=guess-guess-guess", token: nil)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers.first(name: "set-cookie") == nil)
            let fake = try await http.request(node.url + "/dashboard", token: nil,
                                              headers: [("cookie", "edge_admin_session=99999999999.abcdef")])
            #expect(fake.status == .unauthorized)
            // The root redirects to the page, keeping a token for the login.
            let root = try await http.request(node.url + "/?token=x", token: nil)
            #expect(root.status == .seeOther)
            #expect(root.headers.first(name: "location") == "/dashboard?token=x")
        }
    }

    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Loads the page in headless Chromium through the token login and checks what the browser rendered.
    /// Keeps a screenshot in .build/test-artifacts/dashboard.png.
    @Test(.enabled(if: chromium != nil, "needs Debian's chromium package"), .timeLimit(.minutes(2)))
    func headlessChromiumRendersTheMembersTable() async throws {
        let log = PurgeLog()
        let backends = [FakeBackend(name: "edge-1", log: log), FakeBackend(name: "shield-1", role: "shield", log: log),
                        FakeBackend(name: "edge-2", log: log)]
        try await withAdminNodes(backends) { nodes, _ in
            var members = nodes.map(\.member)
            members.append(MemberInfo(name: "edge-3", role: "edge", state: .dead,
                                      location: .init(latitude: 40.71, longitude: -74.01, region: "us-east"),
                                      adminURL: "http://127.0.0.1:1"))
            for node in nodes { node.backend.members = members }
            let url = nodes[0].url + "/dashboard?token=\(AdminNode.token)"

            let started = ContinuousClock.now
            let dom = try await Self.runChromium(["--dump-dom", url])
            let domTime = ContinuousClock.now - started
            print("chromium --dump-dom took \(domTime)")

            #expect(dom.contains("<table id=\"members\">"))
            #expect(dom.contains("data-loaded=\"true\""))
            for (name, state, role) in [("edge-1", "alive", "edge"), ("shield-1", "alive", "shield"),
                                        ("edge-2", "alive", "edge"), ("edge-3", "dead", "edge")] {
                #expect(dom.contains("<tr data-node=\"\(name)\" data-role=\"\(role)\" data-state=\"\(state)\""), "\(name)")
            }
            #expect(dom.contains("<td class=\"hit-ratio num\">75.0 %</td>"))
            #expect(dom.contains("<td class=\"bytes-served num\">120.6 KiB</td>"))
            #expect(dom.contains("<td class=\"region\">us-east</td>"))
            #expect(dom.contains("<p id=\"error\" hidden=\"\"></p>"))  // no load error shown

            let artifacts = Self.packageRoot.appendingPathComponent(".build/test-artifacts")
            try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
            let screenshot = artifacts.appendingPathComponent("dashboard.png").path
            try? FileManager.default.removeItem(atPath: screenshot)
            let shotStarted = ContinuousClock.now
            _ = try await Self.runChromium(["--screenshot=\(screenshot)", "--window-size=1280,720", url])
            print("chromium --screenshot took \(ContinuousClock.now - shotStarted); saved \(screenshot)")
            let size = (try? FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int) ?? 0
            #expect(size > 1000)
        }
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs headless Chromium with a private profile and returns its standard output. The blocking waits run on
    /// a thread of their own: blocking the (two-thread) cooperative pool would stall the admin servers under
    /// test, and every other suite running meanwhile.
    static func runChromium(_ arguments: [String]) async throws -> String {
        guard let chromium else { throw CocoaError(.fileNoSuchFile) }
        let profile = NSTemporaryDirectory() + "edge-chromium-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let run = ChromiumRun(executable: chromium, arguments: [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--disable-dev-shm-usage", "--user-data-dir=\(profile)", "--virtual-time-budget=5000",
        ] + arguments)
        return try await run.output()
    }
}

/// One Chromium process, waited for on a dedicated thread.
///
/// `@unchecked Sendable`: the process and pipe are touched only by `output()` before the thread starts and by
/// that one thread afterwards.
final class ChromiumRun: @unchecked Sendable {
    private let process = Process()
    private let pipe = Pipe()

    init(executable: String, arguments: [String]) {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
    }

    func output() async throws -> String {
        try process.run()
        return await withCheckedContinuation { continuation in
            Thread {
                // Read while it runs so a large DOM cannot fill the pipe and stall it.
                let data = self.pipe.fileHandleForReading.readDataToEndOfFile()
                self.process.waitUntilExit()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }.start()
        }
    }
}
