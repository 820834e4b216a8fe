import EdgeCore
import NIOHTTP1

/// Updating a stored response's header from a 304 (RFC 9111 §3.2, §4.3.4).
public enum HeaderUpdate {
    /// Fields a 304 never overwrites: they describe the stored bytes or the connection, not the representation's
    /// metadata (§3.2 lists Content-Length and fields processed on receipt; §3.1 the connection-specific ones).
    /// Set-Cookie is also kept out: it is addressed to the one client whose request caused the revalidation.
    public static let preservedFields: Set<String> = [
        "content-length", "content-encoding", "content-range", "transfer-encoding", "set-cookie",
    ]

    /// Adds every field of the 304 to the stored header, replacing stored fields of the same name, except the
    /// preserved and connection-specific ones.
    ///
    /// Age and Date describe the timing of the stored copy, which the revalidation resets: a stored Age that
    /// the 304 does not replace is dropped, and so is a stored Date — replaced by `receivedAt` when given —
    /// otherwise the refreshed entry would look as old as the original.
    public static func merge(stored: HTTPHeaders, from304 update: HTTPHeaders, receivedAt: Double? = nil) -> HTTPHeaders {
        let excluded = preservedFields.union(HopByHop.names(in: update))
        let replaced = Set(update.map { $0.name.lowercased() }).subtracting(excluded)
        let updatesDate = replaced.contains("date")
        let dropped = replaced.union(["age", "date"]).union(HopByHop.names(in: stored))

        var result = HopByHop.removing(dropped, from: stored)
        for (name, value) in update where replaced.contains(name.lowercased()) {
            result.add(name: name, value: value)
        }
        // The range check keeps the Int64 conversion from trapping on a nonsensical clock value.
        if !updatesDate, let receivedAt, receivedAt.isFinite, abs(receivedAt) < 1e15 {
            result.add(name: "Date", value: HTTPDate.format(Int64(receivedAt.rounded(.down))))
        }
        return result
    }
}
