extension ServerLimits {
    static let keys = [
        "max_header_bytes", "max_header_count", "max_request_line_bytes", "header_timeout", "idle_timeout",
        "max_request_body_bytes", "drain_timeout", "body_timeout", "body_buffer_size", "max_connections",
    ]

    /// Overrides only the keys present. Bounds are wide but finite: a limit of zero or of terabytes is always a
    /// typo, and would either reject every request or disable the protection.
    mutating func apply(_ reader: TableReader) throws(ConfigError) {
        try reader.checkKeys(allowed: Self.keys)
        let day = Duration.seconds(86_400)
        let millisecond = Duration.milliseconds(1)
        if let value = try reader.byteSize("max_header_bytes", in: (1 << 10)...(1 << 20)) { maxHeaderBytes = value }
        if let value = try reader.integer("max_header_count", in: 1...10_000) { maxHeaderCount = value }
        if let value = try reader.byteSize("max_request_line_bytes", in: 256...(1 << 20)) { maxRequestLineBytes = value }
        if let value = try reader.duration("header_timeout", in: millisecond...day) { headerTimeout = value }
        if let value = try reader.duration("idle_timeout", in: millisecond...day) { idleTimeout = value }
        if let value = try reader.byteSize("max_request_body_bytes", in: 0...(1 << 40)) { maxRequestBodyBytes = value }
        if let value = try reader.duration("drain_timeout", in: .zero...day) { drainTimeout = value }
        if let value = try reader.duration("body_timeout", in: millisecond...day) { bodyTimeout = value }
        if let value = try reader.byteSize("body_buffer_size", in: (1 << 10)...(64 << 20)) { bodyBufferSize = value }
        if let value = try reader.integer("max_connections", in: 1...10_000_000) { maxConnections = value }
    }
}
