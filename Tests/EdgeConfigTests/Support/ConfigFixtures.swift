import EdgeConfig
import Foundation

/// Small configuration texts and helpers shared by the suites.
enum ConfigFixtures {
    /// The smallest useful configuration: one origin, one node, upstream set in `[defaults]`. Line numbers matter
    /// to tests that append to it: `origins` is line 2, `[[origins]]` line 4, `[[nodes]]` line 8, `name` line 9,
    /// `listen` line 10; text appended to it starts on line 12 and belongs to `nodes[0]`.
    static let minimal = """
        [defaults.upstream]
        origins = ["origin-1"]

        [[origins]]
        name = "origin-1"
        url = "http://127.0.0.1:8080"

        [[nodes]]
        name = "edge-1"
        listen = "127.0.0.1:8081"
        location = { latitude = 50.11, longitude = 8.68, region = "eu-central" }

        """

    /// A second node block to append to `minimal`: its `[[nodes]]` header lands on line 13, `name` on 14, `listen`
    /// on 15 and the first line of `extra` on 17.
    static func node(_ name: String, listen: String, extra: String = "") -> String {
        """

        [[nodes]]
        name = "\(name)"
        listen = "\(listen)"
        location = { latitude = 51.51, longitude = -0.13, region = "eu-west" }
        \(extra)
        """
    }

    /// The error `text` produces, or `nil` if it loads.
    static func error(_ text: String, path: String = "edge.conf") -> ConfigError? {
        do {
            _ = try ConfigLoader.parse(text: text, path: path)
            return nil
        } catch {
            return error
        }
    }

    /// The checked-in example, found relative to this source file: Tests/EdgeConfigTests/Support/ → repo root.
    static var exampleConfigPath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // EdgeConfigTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
            .appendingPathComponent("edge.conf").path
    }

    /// A fresh private directory for file-based tests.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "edge-config-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
