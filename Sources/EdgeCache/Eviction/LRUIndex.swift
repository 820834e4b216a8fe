/// Least-recently-used ordering of keys with byte accounting, in the style of Pingora's eviction managers:
/// the index only decides *what* to evict; the caller owns the objects and deletes them. Besides the byte
/// budget it may bound the number of entries, for callers whose per-entry cost is not in the byte sizes (the
/// disk tier's in-memory index: its sizes are file bytes, but each entry costs memory).
///
/// The list is intrusive and lives in one array of nodes linked by indices, with freed slots reused, so an
/// operation costs one hash lookup and a few array writes and never allocates a node object. That keeps the
/// memory tier's hit path (a `touch` under a lock on the event loop) cheap. Links and slot numbers are `Int32`:
/// an entry is a node (key, size, two links: 32 B for a `String` key) and a slot-map entry, and the memory tier
/// keeps one per small object, so half-width links save about 15 B an object (node 40 → 32 B, slot value 8 → 4 B,
/// before the arrays' and table's spare capacity); 2^31 entries is far beyond any tier.
public struct LRUIndex<Key: Hashable>: Sequence {
    fileprivate struct Node {
        /// `nil` while the slot is on the free list, so a freed slot does not keep its key alive.
        var key: Key?
        var size: Int
        var previous: Int32
        var next: Int32
    }

    private static var none: Int32 { -1 }

    /// The byte budget; `admit` evicts until `totalBytes` is within it.
    public private(set) var capacityBytes: Int
    /// The entry budget; `admit` evicts until `count` is within it too. `Int.max` when only bytes count.
    public let maxCount: Int
    public private(set) var totalBytes: Int = 0

    private var nodes: [Node] = []
    private var slots: [Key: Int32] = [:]
    private var freeSlots: [Int32] = []
    /// Least recently used end of the list.
    private var head = LRUIndex.none
    /// Most recently used end of the list.
    private var tail = LRUIndex.none

    /// A negative capacity is treated as zero: nothing with a positive size is then admitted. `maxCount` is at
    /// least 1.
    public init(capacityBytes: Int, maxCount: Int = .max) {
        self.capacityBytes = Swift.max(0, capacityBytes)
        self.maxCount = Swift.max(1, maxCount)
    }

    public var count: Int { slots.count }
    public var isEmpty: Bool { slots.isEmpty }

    public func contains(_ key: Key) -> Bool { slots[key] != nil }

    /// The recorded size of `key`, without changing its recency.
    public func size(of key: Key) -> Int? {
        slots[key].map { nodes[Int($0)].size }
    }

    public var leastRecent: Key? { head == Self.none ? nil : nodes[Int(head)].key }
    public var mostRecent: Key? { tail == Self.none ? nil : nodes[Int(tail)].key }

    /// Inserts `key` (or updates its size) as the most recent entry, then evicts from the least recent end until
    /// the total fits the capacity and the count fits `maxCount`. Returns the evicted keys, least recent first.
    ///
    /// An item larger than the whole capacity is not admitted: it is returned itself, and an older entry under
    /// the same key is dropped too, because the caller is replacing it and must not keep serving the old one.
    /// Negative sizes count as zero.
    @discardableResult
    public mutating func admit(_ key: Key, size: Int) -> [Key] {
        let size = Swift.max(0, size)
        guard size <= capacityBytes else {
            remove(key)
            return [key]
        }
        if let slot = slots[key] {
            totalBytes += size - nodes[Int(slot)].size
            nodes[Int(slot)].size = size
            moveToTail(slot)
        } else {
            let slot = allocate(Node(key: key, size: size, previous: Self.none, next: Self.none))
            slots[key] = slot
            appendAtTail(slot)
            totalBytes += size
        }
        var evicted: [Key] = []
        // The entry just admitted is at the tail and fits on its own (bytes, and maxCount >= 1), so this loop
        // never reaches it.
        while totalBytes > capacityBytes || slots.count > maxCount, let (victim, _) = popLeastRecent() {
            evicted.append(victim)
        }
        return evicted
    }

    /// Changes the byte budget (a configuration reload); shrinking evicts from the least recent end until the
    /// total fits. Returns the evicted keys, least recent first. A negative capacity is treated as zero.
    @discardableResult
    public mutating func resize(capacityBytes newCapacity: Int) -> [Key] {
        capacityBytes = Swift.max(0, newCapacity)
        var evicted: [Key] = []
        while totalBytes > capacityBytes, let (victim, _) = popLeastRecent() {
            evicted.append(victim)
        }
        return evicted
    }

    /// Marks `key` as most recently used. Returns whether the key was present.
    @discardableResult
    public mutating func touch(_ key: Key) -> Bool {
        guard let slot = slots[key] else { return false }
        moveToTail(slot)
        return true
    }

    /// Removes `key`, returning its size, or `nil` when it was absent.
    @discardableResult
    public mutating func remove(_ key: Key) -> Int? {
        guard let slot = slots.removeValue(forKey: key) else { return nil }
        let size = nodes[Int(slot)].size
        unlink(slot)
        release(slot)
        totalBytes -= size
        return size
    }

    /// Removes and returns the least recently used entry.
    public mutating func popLeastRecent() -> (key: Key, size: Int)? {
        guard head != Self.none, let key = nodes[Int(head)].key else { return nil }
        let size = nodes[Int(head)].size
        slots.removeValue(forKey: key)
        let slot = head
        unlink(slot)
        release(slot)
        totalBytes -= size
        return (key, size)
    }

    public mutating func removeAll() {
        nodes.removeAll()
        slots.removeAll()
        freeSlots.removeAll()
        head = Self.none
        tail = Self.none
        totalBytes = 0
    }

    // MARK: Iteration, least recent first

    public struct Iterator: IteratorProtocol {
        fileprivate let nodes: [Node]
        fileprivate var current: Int32

        public mutating func next() -> (key: Key, size: Int)? {
            guard current != LRUIndex.none, let key = nodes[Int(current)].key else { return nil }
            let node = nodes[Int(current)]
            current = node.next
            return (key, node.size)
        }
    }

    public func makeIterator() -> Iterator { Iterator(nodes: nodes, current: head) }

    public var underestimatedCount: Int { count }

    // MARK: List plumbing

    private mutating func allocate(_ node: Node) -> Int32 {
        if let slot = freeSlots.popLast() {
            nodes[Int(slot)] = node
            return slot
        }
        nodes.append(node)
        return Int32(truncatingIfNeeded: nodes.count - 1)
    }

    private mutating func release(_ slot: Int32) {
        nodes[Int(slot)] = Node(key: nil, size: 0, previous: Self.none, next: Self.none)
        freeSlots.append(slot)
    }

    private mutating func appendAtTail(_ slot: Int32) {
        nodes[Int(slot)].previous = tail
        nodes[Int(slot)].next = Self.none
        if tail != Self.none { nodes[Int(tail)].next = slot } else { head = slot }
        tail = slot
    }

    private mutating func unlink(_ slot: Int32) {
        let previous = nodes[Int(slot)].previous
        let next = nodes[Int(slot)].next
        if previous != Self.none { nodes[Int(previous)].next = next } else { head = next }
        if next != Self.none { nodes[Int(next)].previous = previous } else { tail = previous }
        nodes[Int(slot)].previous = Self.none
        nodes[Int(slot)].next = Self.none
    }

    private mutating func moveToTail(_ slot: Int32) {
        guard slot != tail else { return }
        unlink(slot)
        appendAtTail(slot)
    }
}

extension LRUIndex: Sendable where Key: Sendable {}
extension LRUIndex.Node: Sendable where Key: Sendable {}
