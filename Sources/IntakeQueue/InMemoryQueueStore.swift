import Foundation

/// A `QueueStore` in process memory, for tests and dry runs: an in-memory SQLite database, same code as on disk.
///
/// A name of its own so callers can say what they mean; every call goes to `SQLiteQueueStore.inMemory`.
public final class InMemoryQueueStore: QueueStore {
    private let store: SQLiteQueueStore

    /// - Parameter now: the clock for history entries and `queuedAt`; injectable so tests are deterministic.
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        store = SQLiteQueueStore.inMemory(now: now)
    }

    public func insert(_ items: [NewItem]) throws(QueueStoreError) -> [InsertOutcome] {
        try store.insert(items)
    }

    public func item(id: ItemID) throws(QueueStoreError) -> QueueItem? {
        try store.item(id: id)
    }

    public func items(sha256: String) throws(QueueStoreError) -> [QueueItem] {
        try store.items(sha256: sha256)
    }

    public func list(_ filter: ItemFilter) throws(QueueStoreError) -> [QueueItem] {
        try store.list(filter)
    }

    public func possibleDuplicate(
        ofKey key: String, serviceDate: Date?, receivedAt: Date,
        within window: TimeInterval, excluding sha256: String
    ) throws(QueueStoreError) -> QueueItem? {
        try store.possibleDuplicate(
            ofKey: key, serviceDate: serviceDate, receivedAt: receivedAt, within: window, excluding: sha256
        )
    }

    public func markFailed(id: ItemID, failure: FailureRecord) throws(QueueStoreError) -> QueueItem {
        try store.markFailed(id: id, failure: failure)
    }

    public func requeue(
        id: ItemID, with content: ItemContent, pageRange: PageRange?, pageCount: Int?, note: String, adding: [NewItem]
    ) throws(QueueStoreError) -> [QueueItem] {
        try store.requeue(id: id, with: content, pageRange: pageRange, pageCount: pageCount, note: note, adding: adding)
    }

    public func setStatus(
        id: ItemID, _ status: ItemStatus, expecting: ItemStatus?, note: String
    ) throws(QueueStoreError) -> QueueItem {
        try store.setStatus(id: id, status, expecting: expecting, note: note)
    }

    public func counts() throws(QueueStoreError) -> [QueueCount] {
        try store.counts()
    }

    public func reportFigures(
        receivedFrom: Date?, before: Date?, now: Date, nearHours: Double
    ) throws(QueueStoreError) -> ReportFigures {
        try store.reportFigures(receivedFrom: receivedFrom, before: before, now: now, nearHours: nearHours)
    }

    public func automation(
        receivedFrom: Date?, before: Date?, keyFields: [String], keyGroups: [String]
    ) throws(QueueStoreError) -> AutomationFigures {
        try store.automation(receivedFrom: receivedFrom, before: before, keyFields: keyFields, keyGroups: keyGroups)
    }
}

extension InMemoryQueueStore: ConsoleStore {
    public func addUser(_ user: ConsoleUser) throws(QueueStoreError) {
        try store.addUser(user)
    }

    public func user(named name: String) throws(QueueStoreError) -> ConsoleUser? {
        try store.user(named: name)
    }

    public func users() throws(QueueStoreError) -> [ConsoleUser] {
        try store.users()
    }

    @discardableResult
    public func recordLogin(name: String, succeeded: Bool, at: Date, lockout: LockoutPolicy) throws(QueueStoreError) -> ConsoleUser? {
        try store.recordLogin(name: name, succeeded: succeeded, at: at, lockout: lockout)
    }

    @discardableResult
    public func appendAudit(_ entry: NewAuditEntry) throws(QueueStoreError) -> AuditEntry {
        try store.appendAudit(entry)
    }

    public func auditEntries(_ filter: AuditFilter) throws(QueueStoreError) -> [AuditEntry] {
        try store.auditEntries(filter)
    }

    public func settleField(
        id: ItemID, name: String, decision: FieldDecision, by user: String, at: Date
    ) throws(QueueStoreError) -> FieldSettlement {
        try store.settleField(id: id, name: name, decision: decision, by: user, at: at)
    }

    public func corrections(item: ItemID) throws(QueueStoreError) -> [FieldCorrection] {
        try store.corrections(item: item)
    }

    public func page(_ query: ItemQuery) throws(QueueStoreError) -> ItemPage {
        try store.page(query)
    }

    public func itemsNeedingReview(limit: Int) throws(QueueStoreError) -> [QueueItem] {
        try store.itemsNeedingReview(limit: limit)
    }
}
