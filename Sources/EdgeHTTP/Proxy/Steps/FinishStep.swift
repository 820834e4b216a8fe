import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// finish: the one way out of the machine, for every response (hits, misses, 304/412, errors, local
    /// endpoints). Runs the response transforms, in the order the engine was given them, after content coding
    /// (a coded body arrives as `.coded`, with its Content-Encoding set).
    ///
    /// Via, Cache-Status and Age are still stamped where the response is built (HitDelivery.swift for stored
    /// objects, UpstreamFetch.swift for fetched ones), because a hit's head comes from a per-object template.
    func finish(_ response: ProxyResponse, for request: ProxyRequest) -> ProxyResponse {
        guard !transforms.isEmpty else { return response }
        var response = response
        for transform in transforms {
            transform.transform(&response, for: request)
        }
        return response
    }
}
