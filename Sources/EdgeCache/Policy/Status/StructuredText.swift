import RawStructuredFieldValues

/// Writing the bare items of a Cache-Status member (RFC 9211 on RFC 8941), with swift-http-structured-headers as
/// the one home of the grammar: a name is written as an sf-token when the library accepts it as one, else as an
/// sf-string.
///
/// The member itself is assembled by `CacheStatusEntry` as `name; param; param=value` — the spaced form RFC 9211's
/// examples use and that logs, tests and operators read — so only the items go through the library.
enum StructuredText {
    /// Whether `text` is an sf-token: ( ALPHA / "*" ) *( tchar / ":" / "/" ).
    static func isToken(_ text: String) -> Bool {
        serialized(.token(text)) != nil
    }

    /// An sf-string. Characters an sf-string cannot carry (outside printable ASCII) become "?" first, so the text
    /// stays readable rather than being rejected.
    static func string(_ text: String) -> String {
        var printable = ""
        for scalar in text.unicodeScalars {
            if (" "..."~").contains(scalar) { printable.unicodeScalars.append(scalar) } else { printable += "?" }
        }
        // Printable ASCII is always a valid sf-string; the fallback is never reached, and is still well-formed.
        return serialized(.string(printable)) ?? "\"?\""
    }

    static func tokenOrString(_ text: String) -> String {
        serialized(.token(text)) ?? string(text)
    }

    /// The item as the library writes it, or `nil` when the value is not valid for its type.
    private static func serialized(_ item: RFC9651BareItem) -> String? {
        var serializer = StructuredFieldValueSerializer()
        guard let bytes = try? serializer.writeItemFieldValue(Item(bareItem: item, parameters: [:])) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
