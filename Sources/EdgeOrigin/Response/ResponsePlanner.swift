import EdgeCore

/// Decides responses for representations under a rule (RFC 9110 §13 preconditions, §14 ranges, §15.4.5 304).
enum ResponsePlanner {
    /// Validators for a representation as the rule wants them: `seed` is the opaque part of the ETag.
    static func validators(rule: OriginRule, seed: String, lastModified: Int64) -> Validators {
        let etag: EntityTag?
        switch rule.etag {
        case .strong: etag = EntityTag(opaque: seed)
        case .weak: etag = EntityTag(opaque: seed, isWeak: true)
        case .none: etag = nil
        }
        return Validators(etag: etag, lastModified: rule.lastModified ? lastModified : nil)
    }

    /// The ETag seed of a file: size and nanosecond mtime, the same change signal `make` and rsync trust, and
    /// computed without reading the file.
    static func fileSeed(size: Int, modifiedNanoseconds: Int64) -> String {
        String(size, radix: 16) + "-" + String(modifiedNanoseconds, radix: 16)
    }

    /// The ETag seed of generated content: a 64-bit FNV-1a hash of the bytes, so equal content means equal tag.
    static func contentSeed<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func plan(request: PlannerRequest, representation: Representation, rule: OriginRule,
                     now: Int64) -> ResponsePlan {
        let validators = representation.validators
        switch request.conditions.evaluate(against: validators) {
        case .preconditionFailed:
            return errorPlan(status: 412, now: now, isHead: request.isHead)
        case .notModified:
            return notModifiedPlan(validators: validators, rule: rule, now: now)
        case .proceed:
            break
        }

        var headers = [HeaderField(name: "Date", value: HTTPDate.format(now))]
        if rule.header(named: "Content-Type") == nil {
            headers.append(HeaderField(name: "Content-Type", value: representation.contentType))
        }
        headers.append(HeaderField(name: "Accept-Ranges", value: "bytes"))
        headers += validatorFields(validators, includeLastModified: true)
        if let cacheControl = rule.cacheControl {
            headers.append(HeaderField(name: "Cache-Control", value: cacheControl))
        }
        headers += rule.headers

        let length = representation.length
        if !request.isHead, let range = request.range, request.conditions.rangeApplies(to: validators) {
            switch RangeRequest(header: range, length: length) {
            case .single(let byteRange):
                headers.append(HeaderField(name: "Content-Range", value: byteRange.contentRange(total: length)))
                headers.append(HeaderField(name: "Content-Length", value: String(byteRange.count)))
                return ResponsePlan(status: 206, headers: headers,
                                    body: .slice(offset: byteRange.first, count: byteRange.count))
            case .unsatisfiable:
                var plan = errorPlan(status: 416, now: now, isHead: false)
                plan.headers.append(HeaderField(name: "Content-Range", value: "bytes */\(length)"))
                plan.headers.append(HeaderField(name: "Accept-Ranges", value: "bytes"))
                return plan
            case .whole, .multiple:
                break
            }
        }
        headers.append(HeaderField(name: "Content-Length", value: String(length)))
        return ResponsePlan(status: 200, headers: headers,
                            body: request.isHead ? .none : .slice(offset: 0, count: length))
    }

    /// A 304 carries what a cache needs to refresh its stored response (§15.4.5): Date, ETag, Cache-Control and
    /// the rule's extra fields such as Vary. Set-Cookie is left out: a 304 must not hand out a new session.
    /// Last-Modified only goes along when there is no ETag, as the RFC suggests.
    static func notModifiedPlan(validators: Validators, rule: OriginRule, now: Int64) -> ResponsePlan {
        var headers = [HeaderField(name: "Date", value: HTTPDate.format(now))]
        headers += validatorFields(validators, includeLastModified: validators.etag == nil)
        if let cacheControl = rule.cacheControl {
            headers.append(HeaderField(name: "Cache-Control", value: cacheControl))
        }
        headers += rule.headers.filter {
            let name = $0.name.lowercased()
            return name != "set-cookie" && name != "content-type"
        }
        return ResponsePlan(status: 304, headers: headers, body: .none)
    }

    /// A short plain-text response for statuses that have no representation to send.
    static func errorPlan(status: Int, now: Int64, isHead: Bool, detail: String? = nil,
                          extraHeaders: [HeaderField] = []) -> ResponsePlan {
        var text = "\(status) \(reasonPhrase(status))\n"
        if let detail { text += detail + "\n" }
        let headers = [
            HeaderField(name: "Date", value: HTTPDate.format(now)),
            HeaderField(name: "Content-Type", value: "text/plain; charset=utf-8"),
            HeaderField(name: "Content-Length", value: String(text.utf8.count)),
        ] + extraHeaders
        return ResponsePlan(status: status, headers: headers, body: isHead ? .none : .text(text))
    }

    /// A generated JSON document that no cache should keep (the origin's own control endpoints).
    static func controlPlan(json: String, now: Int64, isHead: Bool) -> ResponsePlan {
        let headers = [
            HeaderField(name: "Date", value: HTTPDate.format(now)),
            HeaderField(name: "Content-Type", value: "application/json"),
            HeaderField(name: "Cache-Control", value: "no-store"),
            HeaderField(name: "Content-Length", value: String(json.utf8.count)),
        ]
        return ResponsePlan(status: 200, headers: headers, body: isHead ? .none : .text(json))
    }

    private static func validatorFields(_ validators: Validators, includeLastModified: Bool) -> [HeaderField] {
        var fields: [HeaderField] = []
        if let etag = validators.etag { fields.append(HeaderField(name: "ETag", value: etag.description)) }
        if includeLastModified, let lastModified = validators.lastModified {
            fields.append(HeaderField(name: "Last-Modified", value: HTTPDate.format(lastModified)))
        }
        return fields
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 206: return "Partial Content"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 412: return "Precondition Failed"
        case 416: return "Range Not Satisfiable"
        case 500: return "Internal Server Error"
        default: return "Status"
        }
    }
}
