import Foundation

/// Lines `edge up` writes for its operator. Written straight to the file descriptor: `print` is block-buffered
/// when standard output is a pipe or a file (a supervisor, `| tee`, a test), so its lines would arrive late or,
/// on a signal, never.
enum Console {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
