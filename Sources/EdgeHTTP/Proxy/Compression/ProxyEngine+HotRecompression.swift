#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EdgeCache
import EdgeCompression
import NIOCore

extension ProxyEngine {
    /// Recompresses a brotli variant that reached the hit threshold at the configured (maximum) quality, in the
    /// background, and stores the result in its place when the base and the variant are still current.
    ///
    /// The variant is replaced even when the higher quality gains nothing (tiny or very repetitive bodies): its
    /// stamp then says it is at the target quality, so it is never tried again.
    func scheduleRecompression(of variant: CachedObject, stamp: VariantStamp, base: CachedObject,
                               hits: VariantHits) {
        let target = compression.settings.hotRecompression.brotliQuality
        let window = compression.settings.brotliWindowBits
        let queued = compression.recompressor.submit { [self] in
            let started = ThreadCPUClock.nanoseconds()
            let body: ByteBuffer
            do {
                body = try Compression.encode(base.body, coding: .brotli, level: target, brotliWindow: window)
            } catch {
                compression.metrics.failed()
                logger.error("hot recompression failed", metadata: [
                    "key": "\(base.primaryKey)", "error": "\(error)",
                ])
                return
            }
            let cpuMilliseconds = Double(ThreadCPUClock.nanoseconds() &- started) / 1e6
            compression.metrics.encoded(input: base.body.readableBytes, output: body.readableBytes)
            guard isCurrent(variant, stamp: stamp) else { return }
            let smaller = body.readableBytes < variant.body.readableBytes
            let replacement = CodedVariants.make(from: base, coding: .brotli, body: smaller ? body : variant.body,
                                                 level: target, storedAt: now())
            compression.metrics.recompressed(saved: max(0, variant.body.readableBytes - body.readableBytes))
            logger.info("hot object recompressed", metadata: [
                "key": "\(base.primaryKey)", "hits": "\(hits.total)", "quality": "\(stamp.level)->\(target)",
                "bytes": "\(variant.body.readableBytes)->\(replacement.body.readableBytes)",
                "cpu_ms": "\(Int(cpuMilliseconds.rounded()))",
            ])
            storeVariantInBackground(replacement)
        }
        if !queued { hits.release() }
    }

    /// Whether `variant` is still what the store holds for its key (not replaced by a newer variant, a new
    /// base's variant or a purge), checked just before replacing it.
    private func isCurrent(_ variant: CachedObject, stamp: VariantStamp) -> Bool {
        guard let current = store.memory.peek(variant.storageKey) else {
            // Evicted from memory meanwhile: still worth replacing while its file is on disk.
            return store.disk?.contains(variant.storageKey) ?? false
        }
        guard let currentStamp = deliveryTemplate(for: current).compression.variant else { return false }
        return currentStamp.baseStoredAt == stamp.baseStoredAt && currentStamp.level < compression.settings
            .hotRecompression.brotliQuality
    }
}

/// CPU time of the calling thread: what a recompression cost, whatever else the machine was doing.
enum ThreadCPUClock {
    static func nanoseconds() -> UInt64 {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
