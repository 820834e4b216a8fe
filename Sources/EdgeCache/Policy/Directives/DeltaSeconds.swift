/// delta-seconds (RFC 9111 §1.2.2): a non-negative decimal integer of seconds.
enum DeltaSeconds {
    /// §1.2.2: a value larger than the cache can represent is taken as 2^31, so a huge max-age means
    /// "a very long time" rather than an overflow or an error.
    static let ceiling = 2_147_483_648

    /// The value of a directive or field argument; `nil` when it is not 1*DIGIT (after removing quotes, which
    /// §5.2 asks recipients to accept even where the token form is required).
    static func parse(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        // Cap before converting: a 30-digit value must not fail `Int(_:)` and be mistaken for invalid.
        let significant = text.drop(while: { $0 == "0" })
        if significant.count > 10 { return ceiling }
        return min(Int(significant) ?? 0, ceiling)
    }
}
