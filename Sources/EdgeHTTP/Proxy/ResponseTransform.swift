/// A stage that may rewrite a response on its way to the client: the seam for body or header rewrites, after
/// the cache has decided what to serve.
///
/// Transforms see every response, hits and misses alike, in the order the engine was given them, after content
/// coding (Proxy/Compression): a coded body arrives as `.coded`, with its Content-Encoding set.
public protocol ResponseTransform: Sendable {
    func transform(_ response: inout ProxyResponse, for request: ProxyRequest)
}
