import EdgeCore

/// Validators and `Vary` for the coded variants of one resource.
///
/// A coded variant is a different representation (RFC 9110 §8.4), so it must not carry the identity's
/// ETag: a client or downstream cache holding the gzip bytes would otherwise revalidate them against the
/// brotli ones and keep the wrong body. Each coding therefore gets its own tag, derived from the identity's
/// so that no extra state is stored.
///
/// The derived tag is always *weak*: the edge may later recompress a hot object at a higher quality,
/// which changes the bytes but not the content, and a strong tag promises byte equality (§8.8.1). Being
/// weak also keeps `If-Range` (strong comparison only) from ever matching a coded variant, which is what
/// we want: range requests are served from the identity variant.
public enum VariantValidators {
    /// The ETag of `coding`'s variant: `"abc"` or `W/"abc"` becomes `W/"abc-br"` / `W/"abc-gzip"`;
    /// identity keeps the tag unchanged.
    public static func etag(for coding: ContentCoding, identity: EntityTag) -> EntityTag {
        guard coding != .identity else { return identity }
        return EntityTag(opaque: identity.opaque + "-" + coding.token, isWeak: true)
    }

    /// The validators of `coding`'s variant: its own weak ETag (when the identity has one) and the same
    /// Last-Modified, since the content changed exactly when the identity's did.
    public static func validators(for coding: ContentCoding, identity: Validators) -> Validators {
        Validators(etag: identity.etag.map { etag(for: coding, identity: $0) }, lastModified: identity.lastModified)
    }

    /// The same for a field value; `nil` when the identity ETag is malformed (then the variant is sent
    /// without one rather than with a tag that could collide).
    public static func etag(for coding: ContentCoding, identityFieldValue: String) -> String? {
        guard let identity = EntityTag(parsing: Substring(identityFieldValue)) else { return nil }
        return etag(for: coding, identity: identity).description
    }

    /// `Vary` for a response that has coded variants: the existing members plus `Accept-Encoding`, each
    /// once (compared case-insensitively), in their original order. `*` already varies on everything and
    /// stays `*`. Pass every `Vary` line of the response; an empty list gives `Accept-Encoding`.
    public static func vary(merging existingLines: [String], adding field: String = "Accept-Encoding") -> String {
        var members: [String] = []
        var seen: Set<String> = []
        for member in FieldList.members(of: existingLines) {
            if member == "*" { return "*" }
            if seen.insert(member.lowercased()).inserted { members.append(String(member)) }
        }
        if seen.insert(field.lowercased()).inserted { members.append(field) }
        return members.joined(separator: ", ")
    }

    /// ``vary(merging:adding:)`` for a single optional line.
    public static func vary(merging existing: String?, adding field: String = "Accept-Encoding") -> String {
        vary(merging: existing.map { [$0] } ?? [], adding: field)
    }
}
