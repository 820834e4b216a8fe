/// What `edge --version` prints. SwiftPM has no build-time variables, so the committed values are the honest
/// fallback ("unknown" commit); `scripts/install.sh` writes the output of `git describe` into `commit` for the
/// release build it installs and restores this file afterwards.
enum BuildInfo {
    static let version = "0.17.0"
    static let commit = "unknown"

    static var versionLine: String { "edge \(version) (commit \(commit))" }
}
