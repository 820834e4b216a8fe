/// A fixed-capacity ring of values in arrival order: appending to a full ring overwrites the oldest value, so a
/// node keeps the last `capacity` seconds of samples in constant memory however long it runs.
public struct SampleRing<Element: Sendable>: Sendable {
    public let capacity: Int
    private var storage: [Element] = []
    /// Where the next append goes once `storage` is full.
    private var head = 0

    /// `capacity` is clamped to at least 1.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(self.capacity)
    }

    public var count: Int { storage.count }

    public mutating func append(_ value: Element) {
        if storage.count < capacity {
            storage.append(value)
        } else {
            storage[head] = value
            head = (head + 1) % capacity
        }
    }

    /// Every value, oldest first.
    public var elements: [Element] {
        storage.count < capacity ? storage : Array(storage[head...] + storage[..<head])
    }

    /// The newest value, if any.
    public var last: Element? {
        guard !storage.isEmpty else { return nil }
        return storage.count < capacity ? storage.last : storage[(head + capacity - 1) % capacity]
    }

    /// The values after the first one (oldest first) for which `isNew` holds: used to answer `since=` queries
    /// without copying the whole ring when the client already has most of it.
    public func suffix(where isNew: (Element) -> Bool) -> [Element] {
        let ordered = elements
        guard let start = ordered.firstIndex(where: isNew) else { return [] }
        return Array(ordered[start...])
    }
}
