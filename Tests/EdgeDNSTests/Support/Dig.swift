import Foundation

/// Runs the real `dig` (Debian's dnsutils) and picks apart its output.
struct DigResult {
    let output: String
    let exitCode: Int32

    /// "NOERROR", "NXDOMAIN", ...
    var status: String? { capture(#"status: ([A-Z]+)"#) }
    /// Header flags as dig prints them ("qr", "aa", "tc", "rd").
    var flags: Set<String> {
        guard let text = capture(#";; flags:([a-z ]*);"#) else { return [] }
        return Set(text.split(separator: " ").map(String.init))
    }
    /// "203.0.113.0/24/24"
    var clientSubnet: String? { capture(#"CLIENT-SUBNET: (\S+)"#) }
    var answerCount: Int? { capture(#"ANSWER: (\d+)"#).flatMap { Int($0) } }

    /// The last column of each ANSWER SECTION line (the RDATA for A/AAAA/NS).
    var answers: [String] { section("ANSWER").compactMap { $0.split(whereSeparator: \.isWhitespace).last.map(String.init) } }
    var additionals: [String] { section("ADDITIONAL") }

    private func section(_ name: String) -> [String] {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix(";; \(name) SECTION:") }) else { return [] }
        return lines[(start + 1)...].prefix { !$0.isEmpty }.map(String.init)
    }

    private func capture(_ pattern: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: output, range: NSRange(output.startIndex..., in: output)),
              match.numberOfRanges > 1, let range = Range(match.range(at: 1), in: output) else { return nil }
        return String(output[range])
    }
}

enum Dig {
    static let path = "/usr/bin/dig"

    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// `dig @127.0.0.1 -p <port> <arguments> +time=2 +tries=1`, without blocking a cooperative thread.
    static func run(port: Int, _ arguments: [String]) async throws -> DigResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["@127.0.0.1", "-p", "\(port)", "+time=2", "+tries=1"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                continuation.resume(returning: DigResult(output: String(decoding: data, as: UTF8.self),
                                                         exitCode: finished.terminationStatus))
            }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}
