/// The field names a stored response varies on (RFC 9111 §4.1).
public enum VaryFields: Equatable, Sendable {
    /// No Vary: one variant per primary key.
    case none
    /// Lowercased, sorted, deduplicated field names.
    case fields([String])
    /// `Vary: *`: no later request can be matched, so the response is never reused.
    case any

    /// The field names, empty for `.none` and `.any`.
    public var names: [String] {
        if case .fields(let names) = self { return names }
        return []
    }
}
