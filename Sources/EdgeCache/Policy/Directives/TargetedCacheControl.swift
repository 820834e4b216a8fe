import RawStructuredFieldValues

/// A targeted cache-control field such as `CDN-Cache-Control` (RFC 9213), read as the RFC 8941 Dictionary it is.
///
/// Unlike Cache-Control, whose grammar is forgiving and whose errors this cache resolves toward "stale", a
/// targeted field is a Structured Field: RFC 9213 §2.1 says a field that fails to parse is ignored, so the
/// response falls back to Cache-Control and Expires. A directive this cache knows, with a value of the wrong type,
/// is treated the same way (`max-age="60"`, `max-age=60.0`, `max-age=-1`, `no-store=?0`, `max-age=(1 2)`): the
/// field no longer says anything the origin can be held to, and reading it "most restrictively" could turn a CDN
/// lifetime the origin meant for us into "do not store" or the reverse. Parameters on directives are ignored
/// (§2.1), as are directives this cache does not know, whatever their type.
///
/// Parsing is swift-http-structured-headers' strict RFC 8941/9651 parser: keys are lowercase, `=` has no spaces
/// around it, strings are quoted, and one bad member fails the field.
public enum TargetedCacheControl {
    /// The directives of every line of `field` in the order given (RFC 8941 §4.2: lines are combined with a
    /// comma), or `nil` when the field is absent, empty, fails to parse, or gives a known directive the wrong
    /// type; `nil` means Cache-Control applies.
    public static func parse(lines: [String]) -> CacheControl? {
        guard !lines.isEmpty else { return nil }
        var parser = StructuredFieldValueParser(Array(lines.joined(separator: ", ").utf8))
        guard let dictionary = try? parser.parseDictionaryFieldValue(), !dictionary.isEmpty else { return nil }
        var control = CacheControl()
        for (key, member) in dictionary {
            guard apply(key: key, member: member, to: &control) else { return nil }
        }
        control.isEmpty = false
        return control
    }

    /// Sets one directive; `false` when a known directive carries a value of the wrong type.
    private static func apply(key: String, member: ItemOrInnerList, to control: inout CacheControl) -> Bool {
        // An inner list is never a valid value for a directive we know; unknown ones are skipped whatever they are.
        let value: RFC9651BareItem?
        switch member {
        case .item(let item): value = item.rfc9651BareItem
        case .innerList: value = nil
        }
        switch key {
        case "max-age": return setSeconds(value) { control.maxAge = $0 }
        case "s-maxage": return setSeconds(value) { control.sMaxAge = $0 }
        case "stale-while-revalidate": return setSeconds(value) { control.staleWhileRevalidate = $0 }
        case "stale-if-error": return setSeconds(value) { control.staleIfError = $0 }
        case "no-store": return setFlag(value) { control.noStore = true }
        case "public": return setFlag(value) { control.isPublic = true }
        case "must-revalidate": return setFlag(value) { control.mustRevalidate = true }
        case "proxy-revalidate": return setFlag(value) { control.proxyRevalidate = true }
        case "no-transform": return setFlag(value) { control.noTransform = true }
        case "immutable": return setFlag(value) { control.immutable = true }
        case "must-understand": return setFlag(value) { control.mustUnderstand = true }
        case "no-cache":
            return setFlagOrFields(value, flag: { control.noCache = true },
                                   fields: { control.noCacheFields = CacheControl.union(control.noCacheFields, $0) })
        case "private":
            return setFlagOrFields(value, flag: { control.isPrivate = true },
                                   fields: { control.privateFields = CacheControl.union(control.privateFields, $0) })
        default:
            return true
        }
    }

    /// delta-seconds directives are Integers ≥ 0 (RFC 9213 §2.1); values past 2^31 are capped as RFC 9111 §1.2.2
    /// does for Cache-Control.
    private static func setSeconds(_ value: RFC9651BareItem?, _ set: (Int) -> Void) -> Bool {
        guard case .integer(let seconds)? = value, seconds >= 0 else { return false }
        set(Int(min(seconds, Int64(DeltaSeconds.ceiling))))
        return true
    }

    /// Directives without an argument are Boolean true (written bare: `no-store`).
    private static func setFlag(_ value: RFC9651BareItem?, _ set: () -> Void) -> Bool {
        guard case .bool(true)? = value else { return false }
        set()
        return true
    }

    /// `no-cache` and `private` are either bare or carry their field-name list as a String
    /// (`private="set-cookie"`); an empty list reads as the bare form, as it does in Cache-Control.
    private static func setFlagOrFields(_ value: RFC9651BareItem?, flag: () -> Void,
                                        fields: ([String]) -> Void) -> Bool {
        switch value {
        case .bool(true)?:
            flag()
        case .string(let list)?:
            let names = CacheControl.fieldNames(list)
            if names.isEmpty { flag() } else { fields(names) }
        default:
            return false
        }
        return true
    }
}
