/// A stage that may rewrite a response on its way to the client: the seam where compression (brotli, gzip)
/// and other body or header rewrites plug in, after the cache has decided what to serve.
///
/// Transforms see every response, hits and misses alike, in the order the engine was given them.
public protocol ResponseTransform: Sendable {
    func transform(_ response: inout ProxyResponse, for request: ProxyRequest)
}
