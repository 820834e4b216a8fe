import EdgeCompression
import Foundation
import NIOCore
import Testing

/// Compression throughput and ratio on the demo site's text files (those the default policy compresses:
/// at least 256 bytes), at the default levels (brotli 5,
/// gzip 6), brotli's maximum (11, used for hot-object recompression) and gzip 9.
///
/// Off unless `EDGE_BENCH` is set; run it in release through `bench/compression/run.sh`. Each figure is the
/// median of several timed runs, each run repeating the operation long enough to be measurable. Every
/// operation is a complete one-shot encode or decode including coder setup, as the edge does once per
/// object. Extra files (real-world assets) can be added with `EDGE_BENCH_EXTRA=path:path`.
@Suite(.serialized) struct CompressionBenchmarkTests {
    struct Setting: Sendable {
        var name: String
        var coding: ContentCoding
        var level: Int
    }

    static let settings = [
        Setting(name: "br 5", coding: .brotli, level: 5),
        Setting(name: "br 11", coding: .brotli, level: 11),
        Setting(name: "gzip 6", coding: .gzip, level: 6),
        Setting(name: "gzip 9", coding: .gzip, level: 9),
    ]

    static let textExtensions: Set<String> = ["html", "css", "js", "json", "svg", "txt", "xml"]
    static let runs = 5
    static let minimumRunSeconds = 0.05

    @Test(.enabled(if: ProcessInfo.processInfo.environment["EDGE_BENCH"] != nil))
    func compressionThroughputAndRatio() throws {
        let files = try Self.benchmarkFiles()
        try #require(!files.isEmpty, "no text files found under the demo site")
        var lines = [
            "| file | bytes | setting | compressed | ratio | encode MB/s (CPU) | decode MB/s (CPU) |",
            "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
        ]
        var totals: [String: (input: Int, output: Int, encodeSeconds: Double, decodeSeconds: Double)] = [:]
        for file in files {
            let body = ByteBuffer(bytes: try Data(contentsOf: file.url))
            for setting in Self.settings {
                let encoded = try Compression.encode(body, coding: setting.coding, level: setting.level)
                #expect(try Compression.decode(encoded, coding: setting.coding) == body)
                let encodeSeconds = try Self.medianSeconds {
                    _ = try Compression.encode(body, coding: setting.coding, level: setting.level)
                }
                let decodeSeconds = try Self.medianSeconds {
                    _ = try Compression.decode(encoded, coding: setting.coding)
                }
                lines.append(Self.row(file.name, body.readableBytes, setting.name, encoded.readableBytes,
                                      encodeSeconds, decodeSeconds))
                var total = totals[setting.name] ?? (0, 0, 0, 0)
                total.input += body.readableBytes
                total.output += encoded.readableBytes
                total.encodeSeconds += encodeSeconds
                total.decodeSeconds += decodeSeconds
                totals[setting.name] = total
            }
        }
        for setting in Self.settings {
            guard let total = totals[setting.name] else { continue }
            lines.append(Self.row("**all \(files.count) files**", total.input, setting.name, total.output,
                                  total.encodeSeconds, total.decodeSeconds))
        }
        print("\nCompression benchmark: median of \(Self.runs) runs, thread CPU time, "
            + "one-shot encode/decode per object\n")
        print(lines.joined(separator: "\n"))
        print("")
    }

    static func row(_ name: String, _ input: Int, _ setting: String, _ output: Int,
                    _ encodeSeconds: Double, _ decodeSeconds: Double) -> String {
        let ratio = input == 0 ? 0 : Double(output) / Double(input)
        return "| \(name) | \(input) | \(setting) | \(output) | \(format(ratio, 3)) | "
            + "\(format(Double(input) / encodeSeconds / 1e6, 1)) | \(format(Double(input) / decodeSeconds / 1e6, 1)) |"
    }

    static func format(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    /// Median CPU seconds per call of `operation`: each run repeats it until `minimumRunSeconds` of CPU
    /// time have passed.
    ///
    /// CPU time of the calling thread rather than wall time: what compression costs the node is CPU, and on
    /// a shared machine wall time mostly measures the neighbours. The work is synchronous, so it stays on
    /// this thread.
    static func medianSeconds(_ operation: () throws -> Void) throws -> Double {
        try operation()  // warm up allocator and caches
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = threadCPUSeconds()
            var iterations = 0
            var elapsed = 0.0
            repeat {
                try operation()
                iterations += 1
                elapsed = threadCPUSeconds() - start
            } while elapsed < minimumRunSeconds
            samples.append(elapsed / Double(iterations))
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    struct BenchFile {
        var name: String
        var url: URL
    }

    /// The demo site's text files (`EDGE_BENCH_SITE` or `origin/site` at the package root) plus
    /// `EDGE_BENCH_EXTRA`.
    static func benchmarkFiles(filePath: String = #filePath) throws -> [BenchFile] {
        let environment = ProcessInfo.processInfo.environment
        let packageRoot = URL(fileURLWithPath: filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let site = environment["EDGE_BENCH_SITE"].map { URL(fileURLWithPath: $0) }
            ?? packageRoot.appendingPathComponent("origin/site")
        var files: [BenchFile] = []
        let minimum = CompressionSettings().minimumBodyBytes
        if let enumerator = FileManager.default.enumerator(at: site, includingPropertiesForKeys: [.fileSizeKey]) {
            for case let url as URL in enumerator where textExtensions.contains(url.pathExtension.lowercased()) {
                // Only what the default policy would compress: smaller bodies are served as they are.
                guard let size = try url.resourceValues(forKeys: [.fileSizeKey]).fileSize, size >= minimum else {
                    continue
                }
                let name = String(url.path.dropFirst(site.path.count + 1))
                files.append(BenchFile(name: name, url: url))
            }
        }
        files.sort { $0.name < $1.name }
        for path in (environment["EDGE_BENCH_EXTRA"] ?? "").split(separator: ":") where !path.isEmpty {
            let url = URL(fileURLWithPath: String(path))
            files.append(BenchFile(name: "extra: " + url.lastPathComponent, url: url))
        }
        return files
    }
}
