import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// pass: methods the cache does not answer (POST, PUT, …) are forwarded as they are (PassThrough.swift),
    /// invalidating what an unsafe method may have changed.
    func pass(_ flow: inout ProxyFlow) async {
        guard let key = flow.key else { flow.step = .recv; return }
        flow.step = .finish(await passThrough(flow.request, key: key))
    }
}
