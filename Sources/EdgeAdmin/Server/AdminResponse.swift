import Foundation
import NIOHTTP1

/// One response from the admin listener.
public struct AdminResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON body. Encoding our own model types cannot fail; if it ever did, the client gets a 500 rather than
    /// a crash.
    public static func json(_ value: some Encodable, status: HTTPResponseStatus = .ok) -> AdminResponse {
        guard let bytes = try? AdminJSON.encode(value) else {
            return error(.internalServerError, "could not encode the response")
        }
        return AdminResponse(status: status, headers: ["content-type": "application/json"], body: bytes + [0x0a])
    }

    /// `{"error": message}` with the given status; every refusal has this shape. Built by hand so that it
    /// cannot fail.
    public static func error(_ status: HTTPResponseStatus, _ message: String) -> AdminResponse {
        AdminResponse(status: status, headers: ["content-type": "application/json"],
                      body: Array(("{\"error\":" + AdminJSON.quote(message) + "}\n").utf8))
    }

    public static func text(_ text: String, contentType: String = "text/plain; charset=utf-8") -> AdminResponse {
        AdminResponse(status: .ok, headers: ["content-type": contentType], body: Array(text.utf8))
    }

    public static func redirect(to location: String, setCookie: String? = nil) -> AdminResponse {
        var headers: HTTPHeaders = ["location": location]
        if let setCookie { headers.add(name: "set-cookie", value: setCookie) }
        return AdminResponse(status: .seeOther, headers: headers)
    }

    /// The shape of every error body, for clients decoding one.
    public struct ErrorBody: Codable, Sendable {
        public var error: String
    }
}

/// One JSON configuration for every body the admin API writes and reads.
enum AdminJSON {
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// A JSON string literal for `text`.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
