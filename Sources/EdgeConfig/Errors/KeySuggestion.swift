/// "Did you mean …?" for misspelt keys and names.
///
/// A typo in a config key must not be silently ignored (the setting would quietly keep its default), and the
/// error is far more useful when it names the key the operator meant.
public enum KeySuggestion {
    /// The candidate closest to `word`, if it is close enough to be a plausible typo.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            if best == nil || distance < best?.distance ?? Int.max {
                best = (candidate, distance)
            }
        }
        guard let best else { return nil }
        // Allow roughly one edit per three characters, at least two: catches swaps and dropped letters without
        // suggesting unrelated keys.
        let limit = max(2, min(lowered.count, best.candidate.count) / 3)
        return best.distance <= limit ? best.candidate : nil
    }

    /// Optimal string alignment distance: Levenshtein plus adjacent transpositions (`memroy` → `memory` is one edit).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars)
        let y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        // Keys are short; bail out on absurd input rather than allocate a huge matrix.
        if x.count > 256 || y.count > 256 { return max(x.count, y.count) }
        var previous2 = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
            }
            previous2 = previous
            previous = current
        }
        return previous[y.count]
    }
}
