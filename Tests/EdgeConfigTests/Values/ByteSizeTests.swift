import EdgeConfig
import Testing

@Suite struct ByteSizeTests {
    @Test(arguments: [
        ("256MiB", 256 << 20), ("64 MB", 64_000_000), ("1GiB", 1 << 30), ("1gib", 1 << 30), ("16KiB", 16 << 10),
        ("10kB", 10_000), ("3 TB", 3_000_000_000_000), ("2TiB", 2 << 40), ("512", 512), ("512B", 512), ("0", 0),
        ("1.5 GiB", 3 << 29), ("0.5KiB", 512), (" 8 MiB ", 8 << 20), ("1.25MB", 1_250_000),
    ])
    func parsesSizes(text: String, bytes: Int) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: [
        "", "MiB", "-1MiB", "1 MiBs", "1M", "1 potato", "1..5GiB", ".5GiB", "1.GiB", "١٢MiB", "99999999999999999999",
        "2048TiB", "1e6", "0x10", "1,5GiB",
    ])
    func rejectsMalformedOrHugeSizes(text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test(arguments: [
        (0, "0 B"), (512, "512 B"), (16 << 10, "16 KiB"), (256 << 20, "256 MiB"), (1 << 30, "1 GiB"),
        (64_000_000, "64 MB"), (1500, "1.5 KiB"), (2_000, "2 kB"), ((1 << 30) + (1 << 29) + 1, "1.5 GiB"), (1025, "1.0 KiB"),
    ])
    func formatsSizes(bytes: Int, text: String) {
        #expect(ByteSize.format(bytes) == text)
    }
}
