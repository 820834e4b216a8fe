/// One configured certificate as EdgeTLS needs it: files, names and where each was written (for errors).
/// `edge` maps `EdgeConfig.TLSSettings.Certificate` onto this, so EdgeTLS does not depend on the config module.
public struct CertificateSource: Sendable, Equatable {
    public struct Location: Sendable, Equatable {
        public var file: String
        public var line: Int?
        public var key: String

        public init(file: String, line: Int?, key: String) {
            self.file = file
            self.line = line
            self.key = key
        }
    }

    public var names: [String]
    public var certificatePath: String
    public var keyPath: String
    public var isDefault: Bool
    public var namesLocation: Location
    public var certificateLocation: Location
    public var keyLocation: Location

    public init(names: [String], certificatePath: String, keyPath: String, isDefault: Bool = false,
                namesLocation: Location? = nil, certificateLocation: Location? = nil, keyLocation: Location? = nil) {
        self.names = names
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.isDefault = isDefault
        self.namesLocation = namesLocation ?? Location(file: certificatePath, line: nil, key: "names")
        self.certificateLocation = certificateLocation ?? Location(file: certificatePath, line: nil, key: "cert")
        self.keyLocation = keyLocation ?? Location(file: keyPath, line: nil, key: "key")
    }
}
