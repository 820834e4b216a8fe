/// The validators of a stored or served representation.
public struct Validators: Equatable, Sendable {
    public var etag: EntityTag?
    /// Last-Modified, seconds since the epoch.
    public var lastModified: Int64?

    public init(etag: EntityTag? = nil, lastModified: Int64? = nil) {
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// The outcome of evaluating a request's preconditions (RFC 9110 §13.2.2) against a representation.
public enum PreconditionOutcome: Equatable, Sendable {
    /// Serve the representation as usual.
    case proceed
    /// A GET/HEAD whose If-None-Match / If-Modified-Since says the client's copy is current: 304.
    case notModified
    /// If-Match / If-Unmodified-Since failed: 412.
    case preconditionFailed
}

/// The conditional fields of a request, already extracted from its header.
public struct ConditionalRequest: Sendable {
    public var ifMatch: Substring?
    public var ifNoneMatch: Substring?
    public var ifModifiedSince: Substring?
    public var ifUnmodifiedSince: Substring?
    public var ifRange: Substring?
    public var isGetOrHead: Bool

    public init(ifMatch: Substring? = nil, ifNoneMatch: Substring? = nil, ifModifiedSince: Substring? = nil,
                ifUnmodifiedSince: Substring? = nil, ifRange: Substring? = nil, isGetOrHead: Bool = true) {
        self.ifMatch = ifMatch
        self.ifNoneMatch = ifNoneMatch
        self.ifModifiedSince = ifModifiedSince
        self.ifUnmodifiedSince = ifUnmodifiedSince
        self.ifRange = ifRange
        self.isGetOrHead = isGetOrHead
    }

    /// Whether the request is conditional on validators at all (a cache uses this to decide whether a
    /// client's request can be answered 304 from a stored response).
    public var hasValidatorConditions: Bool { ifNoneMatch != nil || ifModifiedSince != nil }

    /// Evaluates the preconditions in the order RFC 9110 §13.2.2 prescribes.
    public func evaluate(against validators: Validators) -> PreconditionOutcome {
        // Step 1: If-Match.
        if let ifMatch {
            switch EntityTag.parseList(ifMatch) {
            case .any:
                break
            case .tags(let tags):
                guard let etag = validators.etag, tags.contains(where: { $0.stronglyMatches(etag) }) else {
                    return .preconditionFailed
                }
            }
        } else if let ifUnmodifiedSince, let since = HTTPDate.parse(ifUnmodifiedSince) {
            // Step 2: If-Unmodified-Since, only without If-Match.
            if let lastModified = validators.lastModified, lastModified > since { return .preconditionFailed }
            if validators.lastModified == nil { return .preconditionFailed }
        }
        // Step 3: If-None-Match.
        if let ifNoneMatch {
            let matched: Bool
            switch EntityTag.parseList(ifNoneMatch) {
            case .any: matched = true
            case .tags(let tags): matched = validators.etag.map { etag in tags.contains { $0.weaklyMatches(etag) } } ?? false
            }
            if matched { return isGetOrHead ? .notModified : .preconditionFailed }
            return .proceed
        }
        // Step 4: If-Modified-Since, only for GET/HEAD without If-None-Match.
        if isGetOrHead, let ifModifiedSince, let since = HTTPDate.parse(ifModifiedSince),
           let lastModified = validators.lastModified, lastModified <= since {
            return .notModified
        }
        return .proceed
    }

    /// If-Range (§13.1.5): whether a Range request may be answered partially. A strong ETag must match strongly;
    /// a date must equal Last-Modified exactly. Without If-Range, ranges apply.
    public func rangeApplies(to validators: Validators) -> Bool {
        guard let ifRange = ifRange?.trimmingSpaces() else { return true }
        if ifRange.hasPrefix("\"") || ifRange.hasPrefix("W/") {
            guard let tag = EntityTag(parsing: ifRange), let etag = validators.etag else { return false }
            return tag.stronglyMatches(etag)
        }
        guard let date = HTTPDate.parse(ifRange), let lastModified = validators.lastModified else { return false }
        return date == lastModified
    }
}
