extension AdminSettings {
    static let keys = ["token", "purge_allow", "purge_horizon", "purge_ledger_size"]

    mutating func apply(_ reader: TableReader) throws(ConfigError) {
        try reader.checkKeys(allowed: Self.keys)
        let tokenExpected = "a secret of at least \(Self.minimumTokenLength) characters shared by every node"
        if let value = try reader.string("token", expected: tokenExpected) {
            guard value.utf8.count >= Self.minimumTokenLength, !value.contains(where: \.isWhitespace) else {
                // Never echo the token: the message names only its length.
                throw reader.error(.invalidValue, "token",
                                   "expected \(tokenExpected), without spaces; got one of \(value.utf8.count) characters")
            }
            token = value
        }
        let allowExpected = "a list of addresses or CIDR ranges such as [\"127.0.0.1/32\", \"10.0.0.0/8\", \"::1\"]"
        if let entries = try reader.stringArray("purge_allow", expected: allowExpected) {
            var blocks: [AddressBlock] = []
            for entry in entries {
                switch AddressBlock.parse(entry.text) {
                case .success(let block):
                    blocks.append(block)
                case .failure(.malformed):
                    throw reader.context.error(.invalidValue, at: entry.path,
                                               "expected an IP address or CIDR range such as \"10.0.0.0/8\", "
                                                   + "got \(ValueDescription.quote(entry.text))")
                case .failure(.hostBitsSet(let suggestion)):
                    throw reader.context.error(.invalidValue, at: entry.path,
                                               "\(ValueDescription.quote(entry.text)) has bits set past its prefix; "
                                                   + "did you mean \"\(suggestion)\"?")
                }
            }
            purgeAllow = blocks
        }
        if let value = try reader.duration("purge_horizon", in: .seconds(60)...(.seconds(30 * 86_400))) {
            purgeHorizon = value
        }
        if let value = try reader.integer("purge_ledger_size", in: 100...1_000_000) { purgeLedgerSize = value }
    }
}
