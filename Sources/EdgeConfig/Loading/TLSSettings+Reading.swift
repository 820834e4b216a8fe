import Foundation

extension TLSSettings {
    static let keys = ["certificates", "http2"]
    static let certificateKeys = ["names", "cert", "key", "default", "redirect_http", "hsts"]
    static let http2Keys = ["max_concurrent_streams", "max_header_list_size", "max_resets", "reset_window",
                            "max_continuation_frames", "max_control_frames", "h2c"]
    static let namesExpected = "a non-empty list of host names such as [\"www.cdn.test\", \"*.cdn.test\"]"

    mutating func apply(_ reader: TableReader) throws(ConfigError) {
        try reader.checkKeys(allowed: Self.keys)
        for entry in try reader.tableArray("certificates", expected: "an array of tables ([[tls.certificates]])") ?? [] {
            certificates.append(try Self.readCertificate(entry))
        }
        if certificates.filter(\.isDefault).count > 1 {
            throw reader.error(.duplicate, "certificates", "expected at most one certificate with default = true")
        }
        if let table = try reader.subtable("http2", expected: "a table ([tls.http2])") {
            try table.checkKeys(allowed: Self.http2Keys)
            if let value = try table.integer("max_concurrent_streams", in: 1...10_000) {
                http2.maxConcurrentStreams = value
            }
            if let value = try table.byteSize("max_header_list_size", in: 1024...(1 << 20)) {
                http2.maxHeaderListSize = value
            }
            if let value = try table.integer("max_resets", in: 1...100_000) { http2.maxResetsPerWindow = value }
            if let value = try table.duration("reset_window", in: .seconds(1)...(.seconds(3600))) {
                http2.resetWindowSeconds = Int(value.components.seconds)
            }
            if let value = try table.integer("max_continuation_frames", in: 1...1000) {
                http2.maxContinuationFrames = value
            }
            if let value = try table.integer("max_control_frames", in: 1...100_000) {
                http2.maxControlFramesPerWindow = value
            }
            if let value = try table.bool("h2c") { http2.h2c = value }
        }
    }

    private static func readCertificate(_ reader: TableReader) throws(ConfigError) -> Certificate {
        try reader.checkKeys(allowed: certificateKeys)
        guard let names = try reader.stringArray("names", expected: namesExpected), !names.isEmpty else {
            throw reader.missing("names", expected: namesExpected)
        }
        for name in names where !isHostPattern(name.text) {
            throw reader.context.error(.invalidValue, at: name.path,
                                       "expected a host name or *.wildcard, got \(ValueDescription.quote(name.text))")
        }
        let pathExpected = "the path of a PEM file"
        guard let cert = try reader.nonEmptyString("cert", expected: pathExpected) else {
            throw reader.missing("cert", expected: pathExpected)
        }
        guard let key = try reader.nonEmptyString("key", expected: pathExpected) else {
            throw reader.missing("key", expected: pathExpected)
        }
        func location(_ key: String) -> Location { reader.location(key) }
        var certificate = Certificate(
            names: names.map { $0.text.lowercased() }, certificatePath: reader.context.resolvePath(cert),
            keyPath: reader.context.resolvePath(key), isDefault: try reader.bool("default") ?? false,
            namesLocation: location("names"), certificateLocation: location("cert"), keyLocation: location("key"))
        certificate.redirectHTTP = try reader.bool("redirect_http") ?? false
        let hstsExpected = "a Strict-Transport-Security value such as \"max-age=31536000; includeSubDomains\""
        if let hsts = try reader.nonEmptyString("hsts", expected: hstsExpected) {
            guard let value = normalisedHSTS(hsts) else {
                throw reader.error(.invalidValue, "hsts",
                                   "expected max-age=SECONDS, then optionally includeSubDomains and preload, "
                                       + "separated by \";\", got \(ValueDescription.quote(hsts))")
            }
            certificate.hsts = value
        }
        return certificate
    }

    /// A `Strict-Transport-Security` value (RFC 6797 §6.1) as sent: `max-age=N` first, then at most one each of
    /// `includeSubDomains` and `preload` (names case-insensitive), joined by `"; "`; `nil` for anything else
    /// (no max-age, a non-numeric one, unknown or repeated directives, stray characters).
    static func normalisedHSTS(_ text: String) -> String? {
        let directives = text.split(separator: ";", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = directives.first, first.lowercased().hasPrefix("max-age=") else { return nil }
        let seconds = first.dropFirst("max-age=".count)
        guard !seconds.isEmpty, seconds.count <= 10, seconds.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        var result = ["max-age=\(seconds)"]
        for directive in directives.dropFirst() {
            let spelled: String
            switch directive.lowercased() {
            case "includesubdomains": spelled = "includeSubDomains"
            case "preload": spelled = "preload"
            default: return nil
            }
            guard !result.contains(spelled) else { return nil }
            result.append(spelled)
        }
        return result.joined(separator: "; ")
    }

    /// A DNS name, optionally with one leading `*.` label.
    static func isHostPattern(_ text: String) -> Bool {
        let body = text.hasPrefix("*.") ? String(text.dropFirst(2)) : text
        guard !body.isEmpty, body.utf8.count <= 253 else { return false }
        return body.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

extension TableReader {
    /// Where `key` of this table was written, for problems found after loading (in the files it names).
    func location(_ key: String) -> TLSSettings.Location {
        let path = self.path(key)
        return TLSSettings.Location(file: context.file, line: context.lines.nearestLine(of: path), key: path.description)
    }
}
