import EdgeCompression
import NIOCore
import Testing

/// Interoperability with the reference tools: what `brotli` and `gzip` write we decode, and what we write
/// they decode. Needs the Debian packages `brotli` and `gzip` (scripts/install-system-deps.sh).
@Suite struct SystemToolTests {
    struct Tool: Sendable, CustomTestStringConvertible {
        var coding: ContentCoding
        var command: String
        var compressArguments: [String]
        var testDescription: String { "\(command) \(compressArguments.joined(separator: " "))" }
    }

    static let tools = [
        Tool(coding: .brotli, command: "brotli", compressArguments: ["-c", "-q", "5"]),
        Tool(coding: .brotli, command: "brotli", compressArguments: ["-c", "-q", "11"]),
        Tool(coding: .brotli, command: "brotli", compressArguments: ["-c", "-q", "0", "-w", "10"]),
        Tool(coding: .gzip, command: "gzip", compressArguments: ["-c", "-6"]),
        Tool(coding: .gzip, command: "gzip", compressArguments: ["-c", "-9", "-n"]),
        Tool(coding: .gzip, command: "gzip", compressArguments: ["-c", "-1"]),
    ]

    static let inputs: [(name: String, bytes: [UInt8])] = [
        ("empty", []),
        ("one byte", [0x41]),
        ("text 300 KiB", TestData.text(count: 300 * 1024, seed: 11)),
        ("random 100 KiB", TestData.random(count: 100 * 1024, seed: 12)),
    ]

    @Test(arguments: tools)
    func weDecodeTheToolsOutput(_ tool: Tool) throws {
        for input in Self.inputs {
            let compressed = try SystemTool.run(tool.command, tool.compressArguments, input: input.bytes)
            var decoder = try Compression.makeDecoder(for: tool.coding)
            let decoded = try TestData.decode(compressed, with: &decoder, seed: UInt64(input.bytes.count))
            #expect(decoded == input.bytes, "\(input.name)")
        }
    }

    @Test(arguments: [(ContentCoding.brotli, "brotli"), (.gzip, "gzip")], [1, 5, 9])
    func theToolDecodesOurs(_ pair: (ContentCoding, String), _ level: Int) throws {
        let (coding, command) = pair
        for input in Self.inputs {
            var encoder = try Compression.makeEncoder(for: coding, level: level)
            let encoded = try TestData.encode(input.bytes, with: &encoder, seed: UInt64(level))
            let decoded = try SystemTool.run(command, ["-d", "-c"], input: encoded)
            #expect(decoded == input.bytes, "\(input.name) at level \(level)")
        }
    }

    @Test(arguments: [ContentCoding.brotli, .gzip])
    func theToolDecodesFlushedStreams(_ coding: ContentCoding) throws {
        let text = TestData.text(count: 200_000, seed: 13)
        var encoder = try Compression.makeEncoder(for: coding)
        var encoded: [UInt8] = []
        for piece in TestData.chunks(of: text, seed: 14) {
            encoded += try encoder.process(ByteBuffer(bytes: piece), flush: true).bytes
        }
        encoded += try encoder.finish().bytes
        let decoded = try SystemTool.run(coding == .brotli ? "brotli" : "gzip", ["-d", "-c"], input: encoded)
        #expect(decoded == text)
    }

    /// Same library, same settings: our one-shot brotli output should be the size the tool makes (a check
    /// that quality and window reach the encoder).
    @Test(arguments: [1, 5, 11])
    func brotliSizeMatchesTheTool(_ quality: Int) throws {
        let text = TestData.text(count: 200_000, seed: 15)
        let ours = try Compression.encode(ByteBuffer(bytes: text), coding: .brotli, level: quality).readableBytes
        let tool = try SystemTool.run("brotli", ["-c", "-q", "\(quality)", "-w", "22"], input: text).count
        #expect(abs(ours - tool) <= tool / 50, "ours \(ours) bytes, brotli -q \(quality): \(tool) bytes")
    }

    @Test func gzipToolMultiMemberOutput() throws {
        let first = try SystemTool.run("gzip", ["-c"], input: Array("one ".utf8))
        let second = try SystemTool.run("gzip", ["-c"], input: Array("two".utf8))
        #expect(String(buffer: try Compression.decode(ByteBuffer(bytes: first + second), coding: .gzip)) == "one two")
    }
}
