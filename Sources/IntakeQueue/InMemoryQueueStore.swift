import Foundation

/// A `QueueStore` kept in process memory, for tests and dry runs; it follows the same rules as SQLite.
///
/// `@unchecked Sendable` because the mutable state is only touched while holding `lock`;
/// `Mutex` would prove that to the compiler but needs macOS 15, above the package's platform floor.
public final class InMemoryQueueStore: QueueStore, @unchecked Sendable {
    private let lock = NSLock()
    private let now: @Sendable () -> Date
    private var items: [ItemID: QueueItem] = [:]
    private var idsBySHA256: [String: ItemID] = [:]
    private var lastID: Int64 = 0

    /// - Parameter now: the clock for history entries and `queuedAt`; injectable so tests are deterministic.
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    public func insert(_ new: NewItem) throws(QueueStoreError) -> InsertOutcome {
        lock.lock()
        defer { lock.unlock() }
        let sha = try QueueRules.canonicalSHA256(new.sha256)
        if let existing = idsBySHA256[sha], let item = items[existing] {
            return .alreadyPresent(item)
        }
        let item = try QueueRules.newItem(new, id: ItemID(lastID + 1), now: now())
        lastID += 1
        items[item.id] = item
        idsBySHA256[sha] = item.id
        return .inserted(item)
    }

    public func item(id: ItemID) throws(QueueStoreError) -> QueueItem? {
        lock.lock()
        defer { lock.unlock() }
        return items[id]
    }

    public func item(sha256: String) throws(QueueStoreError) -> QueueItem? {
        lock.lock()
        defer { lock.unlock() }
        return idsBySHA256[QueueRules.lookupSHA256(sha256)].flatMap { items[$0] }
    }

    public func list(_ filter: ItemFilter) throws(QueueStoreError) -> [QueueItem] {
        lock.lock()
        defer { lock.unlock() }
        return items.values.filter { QueueRules.matches($0, filter) }.sorted(by: QueueRules.precedes)
    }

    public func possibleDuplicate(
        ofKey key: String, serviceDate: Date?, receivedAt: Date,
        within window: TimeInterval, excluding sha256: String
    ) throws(QueueStoreError) -> QueueItem? {
        lock.lock()
        defer { lock.unlock() }
        let excluded = QueueRules.lookupSHA256(sha256)
        return items.values
            .filter {
                QueueRules.isPossibleDuplicate(
                    $0, key: key, serviceDate: serviceDate, receivedAt: receivedAt,
                    window: window, excluding: excluded
                )
            }
            .min(by: QueueRules.earlierReceived)
    }

    public func markFailed(id: ItemID, failure: FailureRecord) throws(QueueStoreError) -> QueueItem {
        try update(id) { (item, at) throws(QueueStoreError) in
            try QueueRules.failing(item, with: failure, now: at)
        }
    }

    public func requeue(id: ItemID, with content: ItemContent, note: String) throws(QueueStoreError) -> QueueItem {
        try update(id) { (item, at) throws(QueueStoreError) in
            try QueueRules.requeueing(item, with: content, note: note, now: at)
        }
    }

    public func setStatus(
        id: ItemID, _ status: ItemStatus, expecting: ItemStatus?, note: String
    ) throws(QueueStoreError) -> QueueItem {
        try update(id) { (item, at) throws(QueueStoreError) in
            try QueueRules.settingStatus(item, to: status, expecting: expecting, note: note, now: at)
        }
    }

    public func counts() throws(QueueStoreError) -> [QueueCount] {
        lock.lock()
        defer { lock.unlock() }
        var tally: [String: [ItemStatus: Int]] = [:]
        for item in items.values {
            tally[item.route, default: [:]][item.status, default: 0] += 1
        }
        return tally
            .flatMap { route, byStatus in
                byStatus.map { QueueCount(route: route, status: $0.key, count: $0.value) }
            }
            .sorted(by: QueueRules.countOrder)
    }

    /// Reads, transforms and writes one item under the lock; a nil transform result leaves it as is.
    private func update(
        _ id: ItemID, _ transform: (QueueItem, Date) throws(QueueStoreError) -> QueueItem?
    ) throws(QueueStoreError) -> QueueItem {
        lock.lock()
        defer { lock.unlock() }
        guard let item = items[id] else { throw .notFound(id) }
        guard let updated = try transform(item, now()) else { return item }
        items[id] = updated
        return updated
    }
}
