import EdgeConfig
import EdgeHTTP
import EdgeTLS

extension TLSSettings {
    /// The `[[tls.certificates]]` entries as EdgeTLS reads them, each key's location kept for errors.
    public var certificateSources: [CertificateSource] {
        certificates.map { entry in
            func location(_ location: TLSSettings.Location) -> CertificateSource.Location {
                CertificateSource.Location(file: location.file, line: location.line, key: location.key)
            }
            return CertificateSource(names: entry.names, certificatePath: entry.certificatePath,
                                     keyPath: entry.keyPath, isDefault: entry.isDefault,
                                     namesLocation: location(entry.namesLocation),
                                     certificateLocation: location(entry.certificateLocation),
                                     keyLocation: location(entry.keyLocation))
        }
    }

    /// Each entry's `redirect_http` and `hsts`, for its names.
    var httpsHostPolicy: HTTPSHostPolicy {
        HTTPSHostPolicy(entries: certificates.map {
            HTTPSHostPolicy.Entry(names: $0.names, redirectHTTP: $0.redirectHTTP, strictTransportSecurity: $0.hsts)
        })
    }

    /// `[tls.http2]` as the listener applies it.
    var http2Limits: HTTP2Limits {
        HTTP2Limits(maxConcurrentStreams: http2.maxConcurrentStreams, maxHeaderListSize: http2.maxHeaderListSize,
                    maxResetsPerWindow: http2.maxResetsPerWindow, windowSeconds: http2.resetWindowSeconds,
                    maxContinuationFrames: http2.maxContinuationFrames,
                    maxControlFramesPerWindow: http2.maxControlFramesPerWindow)
    }
}
