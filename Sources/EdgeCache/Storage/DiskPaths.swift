import Crypto

/// File naming for the disk tier: `<root>/ab/cd/<sha256 hex of the storage key>`.
///
/// Hashing gives fixed-length, filesystem-safe names whatever the URL holds, and two levels of 256 shards keep
/// any one directory small enough for fast lookups even with millions of objects.
struct DiskPaths: Sendable {
    let root: String

    static let temporaryPrefix = ".tmp-"
    static let nameLength = 64

    init(root: String) {
        var root = root
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        self.root = root
    }

    /// The hex SHA-256 of a storage key: the object's file name.
    static func name(forStorageKey storageKey: String) -> String {
        let digest = SHA256.hash(data: Array(storageKey.utf8))
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(nameLength)
        for byte in digest {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    func shardDirectory(forName name: String) -> String {
        let utf8 = Array(name.utf8.prefix(4))
        return root + "/" + String(decoding: utf8.prefix(2), as: UTF8.self) + "/"
            + String(decoding: utf8.dropFirst(2), as: UTF8.self)
    }

    func file(forName name: String) -> String { shardDirectory(forName: name) + "/" + name }

    /// A fresh temporary name beside the final file, so the rename is within one directory (atomic) and a
    /// leftover is recognisable at the next start.
    func temporaryFile(forName name: String) -> String {
        shardDirectory(forName: name) + "/" + Self.temporaryPrefix + name + "-"
            + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    static func isShardName(_ name: String) -> Bool {
        name.utf8.count == 2 && isLowercaseHex(name)
    }

    static func isObjectName(_ name: String) -> Bool {
        name.utf8.count == nameLength && isLowercaseHex(name)
    }

    private static func isLowercaseHex(_ text: String) -> Bool {
        text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
