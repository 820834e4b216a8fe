import EdgeCore

extension CompressionConfig {
    static let keys = [
        "enabled", "types", "min_size", "brotli_level", "gzip_level", "recompress_hits", "recompress_level",
    ]

    static let typeExpected = "a media type pattern such as \"text/html\", \"text/*\" or \"application/*+json\""

    /// Overrides only the keys present, so a node's `[nodes.compression]` refines `[defaults.compression]`.
    mutating func apply(_ reader: TableReader) throws(ConfigError) {
        try reader.checkKeys(allowed: Self.keys)
        if let value = try reader.bool("enabled") { enabled = value }
        if let entries = try reader.stringArray("types", expected: "a list of \(Self.typeExpected)s") {
            for entry in entries where !Self.isMediaTypePattern(entry.text) {
                throw reader.context.error(.invalidValue, at: entry.path,
                                           "expected \(Self.typeExpected), got \(ValueDescription.quote(entry.text))")
            }
            types = entries.map(\.text)
        }
        if let value = try reader.byteSize("min_size", in: 0...(1 << 30)) { minSize = value }
        if let value = try reader.integer("brotli_level", in: 0...11) { brotliLevel = value }
        if let value = try reader.integer("gzip_level", in: 1...9) { gzipLevel = value }
        if let value = try reader.integer("recompress_hits", in: 0...1_000_000) { recompressHits = value }
        if let value = try reader.integer("recompress_level", in: 0...11) { recompressLevel = value }
        if recompressHits > 0, recompressLevel <= brotliLevel {
            let key = reader.contains("recompress_level") ? "recompress_level" : "brotli_level"
            throw reader.invalid(key, expected: "recompress_level above brotli_level (or recompress_hits = 0)",
                                 got: "\(recompressLevel) <= \(brotliLevel)")
        }
    }

    /// `type/subtype` of RFC 9110 tokens, parameters not allowed; `*` as the subtype, `*+suffix` for a
    /// structured-syntax suffix, or `*/*`. The same grammar the compression module matches with.
    static func isMediaTypePattern(_ text: String) -> Bool {
        let halves = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2, isToken(halves[0]), isToken(halves[1]) else { return false }
        let type = halves[0]
        let subtype = halves[1]
        if type == "*" { return subtype == "*" }
        if subtype.hasPrefix("*") { return subtype == "*" || (subtype.hasPrefix("*+") && subtype.count > 2) }
        return true
    }

    /// An RFC 9110 token (media type halves here; header field names in `upstream.forward_headers`).
    static func isToken(_ text: Substring) -> Bool { HTTPToken.isToken(text) }
}
