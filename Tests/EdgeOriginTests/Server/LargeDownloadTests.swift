import Foundation
import Testing
@testable import EdgeOrigin

@Suite struct LargeDownloadTests {
    @Test func generatedOnStartAndServedWhole() async throws {
        let site = try TempSite()
        try await withOrigin(site, largeFile: LargeFile.defaultRelativePath) { origin in
            let path = site.root + "/" + LargeFile.defaultRelativePath
            #expect(FileManager.default.fileExists(atPath: path))
            let response = try await origin.fetch("/downloads/large.bin")
            #expect(response.status == 200)
            #expect(response.header("Content-Length") == "8388608")
            #expect(response.header("Content-Type") == "application/octet-stream")
            #expect(response.body.count == LargeFile.defaultSize)
            // Compared as Data (memcmp) against the file, whose content LargeFileTests ties to byte(at:);
            // a few spot checks tie the download to byte(at:) directly.
            #expect(Data(response.body) == (try Data(contentsOf: URL(fileURLWithPath: path))))
            for offset in [0, 7, 8, 4_194_303, 4_194_304, 8_388_607] {
                #expect(response.body[offset] == LargeFile.byte(at: offset), "offset \(offset)")
            }
        }
    }

    @Test func rangesOfTheLargeFile() async throws {
        let site = try TempSite()
        try await withOrigin(site, largeFile: LargeFile.defaultRelativePath) { origin in
            let middle = try await origin.fetch("/downloads/large.bin", headers: [("Range", "bytes=5000000-5199999")])
            #expect(middle.status == 206)
            #expect(middle.header("Content-Range") == "bytes 5000000-5199999/8388608")
            #expect(middle.body == LargeFile.bytes(5_000_000..<5_200_000))
            let last = try await origin.fetch("/downloads/large.bin", headers: [("Range", "bytes=-7")])
            #expect(last.body == LargeFile.bytes(8_388_601..<8_388_608))
        }
    }

    @Test func existingFileIsKeptSoValidatorsSurviveRestarts() async throws {
        let site = try TempSite()
        let first = try await withOrigin(site, largeFile: LargeFile.defaultRelativePath) { origin in
            try await origin.fetch("/downloads/large.bin", method: .HEAD).header("ETag")
        }
        let second = try await withOrigin(site, largeFile: LargeFile.defaultRelativePath) { origin in
            try await origin.fetch("/downloads/large.bin", method: .HEAD).header("ETag")
        }
        #expect(first != nil)
        #expect(first == second)
    }
}
