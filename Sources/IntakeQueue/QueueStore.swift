import Foundation

/// The seam between the pipeline and queue persistence: SQLite in production, in memory in tests.
///
/// Methods are synchronous because the pipeline calls them from Dispatch worker queues; every
/// implementation must be safe to call from several threads at once.
public protocol QueueStore: Sendable {
    /// Adds a received document, or returns the item already stored for the same SHA-256.
    func insert(_ item: NewItem) throws(QueueStoreError) -> InsertOutcome

    func item(id: ItemID) throws(QueueStoreError) -> QueueItem?

    /// Looks up by the file's SHA-256 (case-insensitive hex).
    func item(sha256: String) throws(QueueStoreError) -> QueueItem?

    /// Matching items, urgent before standard, then earliest `dueBy` (none last), then id.
    func list(_ filter: ItemFilter) throws(QueueStoreError) -> [QueueItem]

    /// The earliest other item that looks like the same request re-sent.
    ///
    /// Matches items with the same `duplicateKey`, a different SHA-256, and `receivedAt` within
    /// `window` seconds either side of `receivedAt`. When `serviceDate` is given the other item's
    /// `serviceDate` must be equal to it (the pipeline passes dates normalized to the day); when it is
    /// nil the key and the receive window alone decide. Earliest means smallest `receivedAt`, then id.
    func possibleDuplicate(
        ofKey key: String, serviceDate: Date?, receivedAt: Date,
        within window: TimeInterval, excluding sha256: String
    ) throws(QueueStoreError) -> QueueItem?

    /// Records a pipeline failure; the item becomes `.failed` with this record.
    func markFailed(id: ItemID, failure: FailureRecord) throws(QueueStoreError) -> QueueItem

    /// Replaces a failed item's content with a reprocessing result and queues it again, same id.
    ///
    /// Idempotent: on an item that is already `.queued` nothing changes and the stored item is
    /// returned. Items being worked (`.processing`) or finished (`.done`) are refused.
    func requeue(id: ItemID, with content: ItemContent, note: String) throws(QueueStoreError) -> QueueItem

    /// Moves an item to `status`, appending `note` to its history.
    ///
    /// With `expecting`, refuses with `.statusChanged` unless the item is currently in that
    /// status: this is how a worker claims a queued item without two workers getting it.
    /// `.failed` must go through `markFailed`; leaving `.failed` is only allowed to `.done`
    /// (a reviewer handled it by hand), otherwise use `requeue` so the content is refreshed.
    func setStatus(
        id: ItemID, _ status: ItemStatus, expecting: ItemStatus?, note: String
    ) throws(QueueStoreError) -> QueueItem

    /// Item counts per route and status, sorted by route then status (byte order), for `faxintake status`.
    func counts() throws(QueueStoreError) -> [QueueCount]
}

extension QueueStore {
    /// Moves an item to `status` whatever its current status (within the rules of `setStatus`).
    @discardableResult
    public func setStatus(id: ItemID, _ status: ItemStatus, note: String) throws(QueueStoreError) -> QueueItem {
        try setStatus(id: id, status, expecting: nil, note: note)
    }

    /// Every item in queue order.
    public func all() throws(QueueStoreError) -> [QueueItem] {
        try list(ItemFilter())
    }
}

/// The result of an idempotent insert.
public enum InsertOutcome: Hashable, Sendable {
    case inserted(QueueItem)
    /// A document with the same SHA-256 was already stored; this is that item, unchanged.
    case alreadyPresent(QueueItem)

    public var item: QueueItem {
        switch self {
        case .inserted(let item), .alreadyPresent(let item): item
        }
    }

    public var wasInserted: Bool {
        if case .inserted = self { return true }
        return false
    }
}

/// Which items `list` returns; nil properties don't filter.
public struct ItemFilter: Hashable, Sendable, Codable {
    public var route: String?
    public var status: ItemStatus?
    public var channel: Channel?
    /// Inclusive lower bound on `receivedAt`.
    public var receivedSince: Date?
    /// Exclusive upper bound on `receivedAt`.
    public var receivedBefore: Date?
    /// Items whose current failure record is from this stage (so only failed, or failed-then-done, items).
    public var failedStage: String?

    public init(
        route: String? = nil, status: ItemStatus? = nil, channel: Channel? = nil,
        receivedSince: Date? = nil, receivedBefore: Date? = nil, failedStage: String? = nil
    ) {
        self.route = route
        self.status = status
        self.channel = channel
        self.receivedSince = receivedSince
        self.receivedBefore = receivedBefore
        self.failedStage = failedStage
    }
}

/// How many items one route holds in one status.
public struct QueueCount: Hashable, Sendable, Codable {
    public var route: String
    public var status: ItemStatus
    public var count: Int

    public init(route: String, status: ItemStatus, count: Int) {
        self.route = route
        self.status = status
        self.count = count
    }
}

/// Everything a queue store can refuse or fail at, with what to do about it.
public enum QueueStoreError: Error, Hashable, CustomStringConvertible {
    case notFound(ItemID)
    /// The submitted item breaks an invariant (bad SHA-256, failure record mismatch, NaN confidence).
    case invalidItem(sha256: String, reason: String)
    case invalidTransition(id: ItemID, from: ItemStatus, to: ItemStatus, hint: String)
    /// A conditional `setStatus` found the item in another status (e.g. another worker claimed it).
    case statusChanged(id: ItemID, expected: ItemStatus, actual: ItemStatus)
    /// Another process kept the database locked for longer than the busy timeout.
    case locked(path: String)
    /// The database's directory can be read by group or others; it holds PHI.
    case insecureDirectory(path: String, mode: UInt16)
    case fileSystem(path: String, operation: String, reason: String)
    /// A stored row could not be read back (a hand-edited or newer-version database).
    case corruptRow(id: ItemID?, column: String, reason: String)
    case database(path: String, message: String)

    public var description: String {
        switch self {
        case .notFound(let id):
            return "Queue item \(id) does not exist; list items with `faxintake status` and check the id."
        case .invalidItem(let sha256, let reason):
            return "Refused to store item sha256=\(sha256): \(reason). Fix the pipeline's output for this document."
        case .invalidTransition(let id, let from, let to, let hint):
            return "Queue item \(id) cannot go from \(from) to \(to): \(hint)."
        case .statusChanged(let id, let expected, let actual):
            return "Queue item \(id) is \(actual), not \(expected) as expected; another worker or reviewer changed it first. Re-read the item and decide again."
        case .locked(let path):
            return "The queue database \(path) stayed locked by another process past the busy timeout. Check for a stuck `faxintake` or sqlite3 session holding a write transaction, then retry."
        case .insecureDirectory(let path, let mode):
            return "The queue directory \(path) has mode \(String(mode, radix: 8)); it holds PHI and must be owner-only. Run `chmod 700 \(path)` or choose another directory."
        case .fileSystem(let path, let operation, let reason):
            return "Could not \(operation) \(path): \(reason). Check that the path exists and is owned by the user running faxintake."
        case .corruptRow(let id, let column, let reason):
            let which = id.map { "item \($0)" } ?? "a row"
            return "The queue database has an unreadable \(column) in \(which): \(reason). Check the database with `PRAGMA integrity_check` (SQLiteQueueStore.integrityCheck) and restore from backup if it fails."
        case .database(let path, let message):
            return "Queue database \(path) failed: \(message)."
        }
    }
}
