import Foundation
import Testing

/// A small tmpfs mounted for one test, to give a node a cache directory that can be made read-only or full
/// for real (as root, `chmod` stops nothing, so only a read-only mount makes writes fail with EROFS).
///
/// Mounting needs root and a kernel that allows it in this environment; `isPermitted` finds out once, and
/// tests that need a mount are disabled with that reason where it is not.
final class ScratchMount: @unchecked Sendable {
    let path: String

    /// Whether a tmpfs can be mounted and remounted read-only here.
    static let isPermitted: Bool = {
        guard let probe = try? ScratchMount(sizeBytes: 1 << 20) else { return false }
        defer { probe.unmount() }
        return (try? probe.remount(readOnly: true)) != nil
    }()

    static let notPermittedReason: Comment =
        "needs `mount -t tmpfs` and `mount -o remount,ro` (root, and a kernel that allows mounts here)"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Mounts a tmpfs of `sizeBytes` on a new temporary directory.
    init(sizeBytes: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("edge-mount-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        do {
            try Self.run(["-t", "tmpfs", "-o", "size=\(sizeBytes),mode=0755", "tmpfs", path])
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    func remount(readOnly: Bool) throws {
        try Self.run(["-o", readOnly ? "remount,ro" : "remount,rw", path])
    }

    /// Unmounts (lazily, so a node still holding a file open cannot keep it mounted) and removes the directory.
    func unmount() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/umount")
        process.arguments = ["-l", path]
        try? process.run()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/mount")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw Failure(description: "mount \(arguments.joined(separator: " ")) failed: \(message)")
        }
    }
}
