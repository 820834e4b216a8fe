import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// finish: the one way out of the machine, for every response (hits, misses, 304/412, errors, local
    /// endpoints). Codes a body streamed from upstream into the client's coding (or answers its Range: 206 as the
    /// bytes arrive, `RangedBody`), writes the response's stamp
    /// (Via, Cache-Status, Age, and the removal of internal fields at the outermost tier: `ResponseStamp`), then
    /// runs the response transforms, in the order the engine was given them (a coded body arrives as `.coded`,
    /// with its Content-Encoding set).
    ///
    /// Last, HSTS, for responses sent over TLS for a name with `hsts` (`HTTPSHosts`): here, so hits, misses,
    /// errors and local answers all carry it.
    func finish(_ response: ProxyResponse, for request: ProxyRequest) -> ProxyResponse {
        var response = response
        if let stamp = response.stamp {
            if case .upstream(let fill) = stamp.source {
                codeStreamedResponse(&response, request: request, fill: fill)
                answerRange(&response, for: request)
            }
            stamp.apply(to: &response.headers, settings: self.settings)
            response.stamp = nil
        }
        if !transforms.isEmpty {
            // A transform may change any field, the stored ones too.
            response.wirePrefix = nil
            for transform in transforms {
                transform.transform(&response, for: request)
            }
        }
        stampStrictTransportSecurity(&response, for: request)
        return response
    }
}
