import EdgeCore
import NIOHTTP1

/// A fixed "now" for policy tests: 2023-11-14T22:13:20Z.
let t0: Double = 1_700_000_000

/// An IMF-fixdate for a time in seconds since the epoch.
func httpDate(_ seconds: Double) -> String { HTTPDate.format(Int64(seconds)) }

/// Builds headers from name/value pairs, keeping order and duplicates.
func headers(_ pairs: [(String, String)]) -> HTTPHeaders {
    var result = HTTPHeaders()
    for (name, value) in pairs { result.add(name: name, value: value) }
    return result
}

func headers(_ pairs: (String, String)...) -> HTTPHeaders { headers(pairs) }
