/// Whether a response from upstream may be stored, and how (RFC 9111 §3).
public enum StorageDecision: Equatable, Sendable {
    case store(StoreInstructions)
    /// `reason` is a short phrase for logs and Cache-Status `detail`, e.g. "response no-store".
    case doNotStore(reason: String)

    public var isStore: Bool {
        if case .store = self { return true }
        return false
    }
}
