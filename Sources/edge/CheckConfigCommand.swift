import ArgumentParser
import EdgeConfig
import EdgeRuntime
import EdgeTLS
import Foundation

/// `edge check-config FILE`: validate a configuration and print the topology it describes.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file and print the cluster topology it describes.",
        discussion: "Exits 0 when the file is valid; otherwise prints every problem as FILE:LINE: KEY: message and exits 1."
    )

    @Argument(help: "The configuration file.", completion: .file(extensions: ["conf", "toml"]))
    var path: String = "edge.conf"

    func run() throws {
        do {
            let configuration = try ConfigLoader.load(path: path)
            // The files the certificates name: readable, key matching, not expired, every name covered; and
            // the CA files https origins trust (tls_ca): readable, holding certificates.
            let problems = CertificateStore.problems(in: configuration.tls.certificateSources).map(\.description)
                + configuration.upstreamTLSProblems.map(\.description)
            if !problems.isEmpty {
                for problem in problems { printError(problem) }
                throw ExitCode.failure
            }
            print(configuration.topologyDescription())
            print("\(path): OK")
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
    }
}

func printError(_ message: String) {
    var standardError = StandardError()
    print(message, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
