import Foundation
import Testing

/// `edge --version`, as the installed binary answers it.
@Suite("edge --version")
struct VersionCommandTests {
    @Test func printsTheVersionAndTheCommitAndExitsZero() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-ver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try EdgeProcess.run(["--version"], in: directory)
        #expect(result.status == 0)
        let line = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        // "edge 0.17.0 (commit unknown)" from a plain build; scripts/install.sh stamps the git commit in.
        #expect(line.wholeMatch(of: /edge \d+\.\d+\.\d+ \(commit [0-9A-Za-z.\-]+\)/) != nil, "got \(line)")
    }
}
