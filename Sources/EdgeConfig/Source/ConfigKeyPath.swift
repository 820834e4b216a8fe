/// A location inside the TOML document, rendered the way operators read it: `nodes[2].cache.memory_size`.
///
/// Both the line index and the readers build paths with this type, so the string a reader reports is exactly the
/// string the index was keyed by.
public struct ConfigKeyPath: Hashable, Sendable, CustomStringConvertible {
    public enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    public private(set) var components: [Component]

    public static let root = ConfigKeyPath([])

    public init(_ components: [Component]) {
        self.components = components
    }

    /// Builds a path from plain keys, e.g. `ConfigKeyPath(keys: "cache", "memory_size")`.
    public init(keys: String...) {
        self.components = keys.map { .key($0) }
    }

    public func appending(_ key: String) -> ConfigKeyPath {
        ConfigKeyPath(components + [.key(key)])
    }

    public func appending(index: Int) -> ConfigKeyPath {
        ConfigKeyPath(components + [.index(index)])
    }

    /// The enclosing table or array; `nil` at the root.
    public var parent: ConfigKeyPath? {
        components.isEmpty ? nil : ConfigKeyPath(Array(components.dropLast()))
    }

    /// The last key name, if the path ends in a key.
    public var lastKey: String? {
        if case .key(let name)? = components.last { return name }
        return nil
    }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let name):
                if !text.isEmpty { text += "." }
                text += Self.render(name)
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    /// Bare keys print as they are; anything else is quoted as TOML would need it.
    private static func render(_ key: String) -> String {
        let isBare = !key.isEmpty && key.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", "_", "-": return true
            default: return false
            }
        }
        if isBare { return key }
        var quoted = "\""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                quoted += "\\u" + String.hex4(scalar.value)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}

extension String {
    /// Four hex digits, upper case, zero padded: the TOML `\uXXXX` form.
    static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: Swift.max(0, 4 - digits.count)) + digits
    }
}
