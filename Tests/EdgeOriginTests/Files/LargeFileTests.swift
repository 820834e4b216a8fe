import Foundation
import Testing
@testable import EdgeOrigin

@Suite struct LargeFileTests {
    @Test func bytesAreAFunctionOfTheirOffset() {
        #expect(LargeFile.bytes(0..<64) == LargeFile.bytes(0..<64))
        #expect(LargeFile.bytes(100..<110) == Array(LargeFile.bytes(0..<200)[100..<110]))
        // Not a short repeating pattern: blocks differ.
        #expect(LargeFile.bytes(0..<8) != LargeFile.bytes(8..<16))
        #expect(Set(LargeFile.bytes(0..<4096)).count > 200)
    }

    @Test func ensureWritesOnceAtomically() throws {
        let site = try TempSite()
        let path = site.root + "/downloads/large.bin"
        #expect(try LargeFile.ensure(at: path, size: 100_003))
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.count == 100_003)
        #expect(Array(data) == LargeFile.bytes(0..<100_003))
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.root + "/downloads") == ["large.bin"])
        // Present with the right size: left alone (stable mtime, so stable validators).
        #expect(try !LargeFile.ensure(at: path, size: 100_003))
        // Wrong size (e.g. an interrupted copy): regenerated.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        #expect(try LargeFile.ensure(at: path, size: 100_003))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == 100_003)
    }

    @Test func defaultSizeIsEightMiB() {
        #expect(LargeFile.defaultSize == 8_388_608)
        #expect(LargeFile.defaultRelativePath == "downloads/large.bin")
    }
}
