import TOMLKit

/// Typed, path-aware access to one TOML table.
///
/// Each getter returns `nil` when the key is absent (so callers keep the inherited value) and throws a
/// `ConfigError` naming the key's line when the value has the wrong type or is out of range. Values are never
/// coerced silently: `"10"` is not the integer 10, and a misspelt key is an error rather than a default.
struct TableReader {
    let table: TOMLTable
    let path: ConfigKeyPath
    let context: ReadContext

    func path(_ key: String) -> ConfigKeyPath { path.appending(key) }

    func contains(_ key: String) -> Bool { table[key] != nil }

    func value(_ key: String) -> TOMLValueConvertible? { table[key] }

    func error(_ kind: ConfigError.Kind, _ key: String, _ message: String) -> ConfigError {
        context.error(kind, at: path(key), message)
    }

    func mismatch(_ key: String, expected: String, got value: TOMLValueConvertible) -> ConfigError {
        error(.wrongType, key, "expected \(expected), got \(ValueDescription.describe(value))")
    }

    func invalid(_ key: String, expected: String, got value: TOMLValueConvertible) -> ConfigError {
        error(.invalidValue, key, "expected \(expected), got \(ValueDescription.describe(value))")
    }

    func missing(_ key: String, expected: String) -> ConfigError {
        error(.missingKey, key, "missing required key; expected \(expected)")
    }

    /// Rejects keys this table does not define, in file order, suggesting the key that was probably meant.
    /// `sections` lists sub-tables whose keys are a common misplacement (`memory_size` directly under a node).
    func checkKeys(allowed: [String], sections: [(name: String, keys: [String])] = []) throws(ConfigError) {
        let keys = table.keys.sorted { lhs, rhs in
            let l = context.lines.line(of: path(lhs)) ?? Int.max
            let r = context.lines.line(of: path(rhs)) ?? Int.max
            return l != r ? l < r : lhs < rhs
        }
        for key in keys {
            // TOMLKit hands keys over as C strings: a key with an escaped NUL comes back cut short and no longer
            // finds its value.
            guard table[key] != nil else { throw error(.unknownKey, key, "key contains a NUL character") }
            guard !allowed.contains(key) else { continue }
            var message = "unknown key"
            let homes = sections.filter { $0.keys.contains(key) }.map { "\($0.name).\(key)" }
            if !homes.isEmpty {
                message += "; did you mean \(homes.joined(separator: " or "))?"
            } else if let suggestion = KeySuggestion.closest(to: key, in: allowed) {
                message += "; did you mean \(suggestion)?"
            } else {
                message += "; expected one of: \(allowed.joined(separator: ", "))"
            }
            throw error(.unknownKey, key, message)
        }
    }

    // MARK: Scalars

    func string(_ key: String, expected: String) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.string else { throw mismatch(key, expected: expected, got: value) }
        return text
    }

    /// A string that must not be empty or all spaces.
    func nonEmptyString(_ key: String, expected: String) throws(ConfigError) -> String? {
        guard let text = try string(key, expected: expected) else { return nil }
        if text.trimmingSpaces().isEmpty, let value = value(key) {
            throw invalid(key, expected: expected, got: value)
        }
        return text
    }

    func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.bool else { throw mismatch(key, expected: "true or false", got: value) }
        return flag
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = value(key) else { return nil }
        let expected = "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard let number = value.int else { throw mismatch(key, expected: expected, got: value) }
        guard range.contains(number) else { throw invalid(key, expected: expected, got: value) }
        return number
    }

    /// A number, integer or floating point (`50` and `50.0` are both a latitude).
    func number(_ key: String, in range: ClosedRange<Double>, expected: String) throws(ConfigError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.double ?? value.int.map(Double.init) else {
            throw mismatch(key, expected: expected, got: value)
        }
        guard range.contains(number) else { throw invalid(key, expected: expected, got: value) }
        return number
    }

    func byteSize(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = value(key) else { return nil }
        let expected = "a size such as \"256MiB\" or \"64 MB\" "
            + "(\(ByteSize.format(range.lowerBound)) to \(ByteSize.format(range.upperBound)))"
        let bytes: Int?
        if let text = value.string {
            bytes = ByteSize.parse(text)
        } else if let number = value.int {
            bytes = number >= 0 ? number : nil
        } else {
            throw mismatch(key, expected: expected, got: value)
        }
        guard let bytes, range.contains(bytes) else { throw invalid(key, expected: expected, got: value) }
        return bytes
    }

    func duration(_ key: String, in range: ClosedRange<Duration>) throws(ConfigError) -> Duration? {
        guard let value = value(key) else { return nil }
        let expected = "a duration such as \"250ms\", \"2s\", \"5m\", \"1h\" or \"1d\" "
            + "(\(DurationText.format(range.lowerBound)) to \(DurationText.format(range.upperBound)))"
        let duration: Duration?
        if let text = value.string {
            duration = DurationText.parse(text)
        } else if let seconds = value.int {
            duration = DurationText.seconds(seconds)
        } else {
            throw mismatch(key, expected: expected, got: value)
        }
        guard let duration, range.contains(duration) else { throw invalid(key, expected: expected, got: value) }
        return duration
    }

    func listenAddress(_ key: String) throws(ConfigError) -> SocketAddressSpec? {
        guard let value = value(key) else { return nil }
        guard let text = value.string else { throw mismatch(key, expected: Self.listenExpected, got: value) }
        switch SocketAddressSpec.parse(text) {
        case .success(let address):
            return address
        case .failure(.malformed):
            throw invalid(key, expected: Self.listenExpected, got: value)
        case .failure(.hostNotLiteral):
            throw invalid(key, expected: "\"host:port\" whose host is a literal IP address or localhost", got: value)
        }
    }

    static let listenExpected = "\"host:port\" with a port 1-65535"

    // MARK: Structure

    func subtable(_ key: String, expected: String) throws(ConfigError) -> TableReader? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else { throw mismatch(key, expected: expected, got: value) }
        return TableReader(table: table, path: path(key), context: context)
    }

    /// `[[key]]` entries (or an inline array of tables).
    func tableArray(_ key: String, expected: String) throws(ConfigError) -> [TableReader]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { throw mismatch(key, expected: expected, got: value) }
        var readers: [TableReader] = []
        let elementPath = path(key)
        for index in 0..<array.count {
            let element = array[index]
            guard let table = element.table else {
                throw context.error(.wrongType, at: elementPath.appending(index: index),
                                    "expected a table, got \(ValueDescription.describe(element))")
            }
            readers.append(TableReader(table: table, path: elementPath.appending(index: index), context: context))
        }
        return readers
    }

    /// An array of strings, each with its own path so errors point at the element.
    func stringArray(_ key: String, expected: String) throws(ConfigError) -> [(text: String, path: ConfigKeyPath)]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { throw mismatch(key, expected: expected, got: value) }
        var items: [(text: String, path: ConfigKeyPath)] = []
        for index in 0..<array.count {
            let element = array[index]
            let elementPath = path(key).appending(index: index)
            guard let text = element.string else {
                throw context.error(.wrongType, at: elementPath,
                                    "expected a string, got \(ValueDescription.describe(element))")
            }
            items.append((text, elementPath))
        }
        return items
    }
}
