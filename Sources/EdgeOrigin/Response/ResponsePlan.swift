import EdgeCore

/// What a response will be, decided before any byte is written: status, header fields and which body bytes.
///
/// Separating the decision from the writing keeps every HTTP rule (preconditions, ranges, which fields a 304
/// carries) in pure code that tests call directly with a time value.
struct ResponsePlan: Equatable, Sendable {
    enum Body: Equatable, Sendable {
        /// No body: HEAD, 304, 412-on-HEAD and the like.
        case none
        /// `count` bytes of the representation starting at `offset`.
        case slice(offset: Int, count: Int)
        /// A short generated body (error text, JSON).
        case text(String)
    }

    var status: Int
    var headers: [HeaderField]
    var body: Body

    /// The first value of a field, case-insensitively; for tests and logging.
    func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

/// A representation the planner decides about: a file or a generated document.
struct Representation: Equatable, Sendable {
    var length: Int
    var contentType: String
    var validators: Validators
}

/// The parts of a request that shape the response to it.
struct PlannerRequest: Sendable {
    var isHead: Bool
    var conditions: ConditionalRequest
    var range: Substring?

    init(isHead: Bool = false, conditions: ConditionalRequest = ConditionalRequest(), range: Substring? = nil) {
        self.isHead = isHead
        self.conditions = conditions
        self.range = range
    }
}
