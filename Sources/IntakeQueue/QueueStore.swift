import Foundation

/// The seam between the pipeline and queue persistence: SQLite, on disk in production, in memory in tests.
///
/// Methods are synchronous because the pipeline calls them from Dispatch worker queues; every
/// implementation must be safe to call from several threads at once.
///
/// One received file may hold several requests; each is its own item, all with the file's SHA-256.
/// An item is identified within its file by its request page, `content.formPage ?? 0`.
public protocol QueueStore: Sendable {
    /// Adds the requests of a received file in one transaction: all are stored, or none.
    ///
    /// Each outcome, in the order given, is `.inserted` or `.alreadyPresent` with the item already
    /// stored for the same SHA-256 and request page (idempotent: resubmitting a file changes nothing).
    func insert(_ items: [NewItem]) throws(QueueStoreError) -> [InsertOutcome]

    func item(id: ItemID) throws(QueueStoreError) -> QueueItem?

    /// Every item from one file (SHA-256, case-insensitive hex), by request page then id; empty if none.
    func items(sha256: String) throws(QueueStoreError) -> [QueueItem]

    /// Matching items, urgent before standard, then earliest `dueBy` (none last), then id.
    func list(_ filter: ItemFilter) throws(QueueStoreError) -> [QueueItem]

    /// The earliest other item that looks like the same request re-sent.
    ///
    /// Matches items with the same `duplicateKey`, a different SHA-256, and `receivedAt` within
    /// `window` seconds either side of `receivedAt`. When `serviceDate` is given the other item's
    /// `serviceDate` must be equal to it (the pipeline passes dates normalized to the day); when it is
    /// nil the key and the receive window alone decide. Earliest means smallest `receivedAt`, then id.
    /// Requests from the same file are never duplicates of each other: `excluding` is the file's hash.
    func possibleDuplicate(
        ofKey key: String, serviceDate: Date?, receivedAt: Date,
        within window: TimeInterval, excluding sha256: String
    ) throws(QueueStoreError) -> QueueItem?

    /// Records a pipeline failure; the item becomes `.failed` with this record.
    func markFailed(id: ItemID, failure: FailureRecord) throws(QueueStoreError) -> QueueItem

    /// Replaces a failed item's content and page range with a reprocessing result and queues it
    /// again under the same id, and adds the file's other requests found on reprocessing, in one transaction.
    ///
    /// The item's request page follows the new `content.formPage` (a failed item without a form may
    /// turn out to have its form on page 2). `adding` must be requests of the same file; each is
    /// inserted as by `insert`. Returns the requeued item followed by the added (or already present)
    /// items, in the order of `adding`.
    ///
    /// Idempotent: on an item that is already `.queued` nothing changes; the stored item is returned,
    /// followed by those of `adding` already stored. Items being worked (`.processing`) or finished
    /// (`.done`) are refused. `pageCount` is the file's page count as reprocessing decoded it (an item that
    /// failed before its pages were counted has 0); nil keeps the stored one.
    func requeue(
        id: ItemID, with content: ItemContent, pageRange: PageRange?, pageCount: Int?, note: String, adding: [NewItem]
    ) throws(QueueStoreError) -> [QueueItem]

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

    /// The nightly report's numbers over items received in `[receivedFrom, before)` (nil: unbounded),
    /// aggregated by the database rather than by loading every item.
    ///
    /// - Parameters:
    ///   - now: the moment due-by is judged against.
    ///   - nearHours: items due within this many hours of `now` count as near due.
    func reportFigures(
        receivedFrom: Date?, before: Date?, now: Date, nearHours: Double
    ) throws(QueueStoreError) -> ReportFigures

    /// How much of the received requests' key data went through without a person: key fields not
    /// flagged for review, and requests with no key field or key checkbox group flagged.
    ///
    /// Only items with a form count (a form-less or failed item has nothing to automate).
    func automation(
        receivedFrom: Date?, before: Date?, keyFields: [String], keyGroups: [String]
    ) throws(QueueStoreError) -> AutomationFigures
}

/// Key fields read without a person, and requests that went straight through. Counts only: no PHI.
public struct AutomationFigures: Hashable, Sendable, Codable {
    /// Requests with a form in the range.
    public var requests: Int
    /// Of those, the requests with no key field and no key checkbox group flagged for review.
    public var straightThrough: Int
    /// Key fields of those requests.
    public var keyFields: Int
    /// Key fields not flagged for review.
    public var keyFieldsAutomated: Int

    public init(requests: Int, straightThrough: Int, keyFields: Int, keyFieldsAutomated: Int) {
        self.requests = requests
        self.straightThrough = straightThrough
        self.keyFields = keyFields
        self.keyFieldsAutomated = keyFieldsAutomated
    }
}

extension QueueStore {
    /// Adds one request (or a file with a single request); see `insert(_:)` for several.
    @discardableResult
    public func insert(_ item: NewItem) throws(QueueStoreError) -> InsertOutcome {
        let outcomes = try insert([item])
        return outcomes[0]
    }

    /// The first item of a file (lowest request page), or nil when the file was never stored.
    ///
    /// Enough to tell whether a file has been committed: a file's requests are inserted together.
    public func item(sha256: String) throws(QueueStoreError) -> QueueItem? {
        try items(sha256: sha256).first
    }

    /// The ids of the other items from the same file as `id`, by request page then id.
    public func siblings(of id: ItemID) throws(QueueStoreError) -> [ItemID] {
        guard let item = try item(id: id) else { throw .notFound(id) }
        return try items(sha256: item.sha256).map(\.id).filter { $0 != id }
    }

    /// `requeue` keeping the stored page count.
    public func requeue(
        id: ItemID, with content: ItemContent, pageRange: PageRange?, note: String, adding: [NewItem]
    ) throws(QueueStoreError) -> [QueueItem] {
        try requeue(id: id, with: content, pageRange: pageRange, pageCount: nil, note: note, adding: adding)
    }

    /// Requeues a failed item with new content, keeping its page range and adding no other request.
    ///
    /// The page range is read first, outside the requeue's transaction; only `requeue` and `insert`
    /// set it, so a failed item's range cannot change in between.
    @discardableResult
    public func requeue(id: ItemID, with content: ItemContent, note: String) throws(QueueStoreError) -> QueueItem {
        guard let item = try item(id: id) else { throw .notFound(id) }
        let items = try requeue(id: id, with: content, pageRange: item.pageRange, pageCount: nil, note: note, adding: [])
        return items[0]
    }

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
    /// A request with the same SHA-256 and request page was already stored; this is that item, unchanged.
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
    public var failedStage: PipelineStage?

    public init(
        route: String? = nil, status: ItemStatus? = nil, channel: Channel? = nil,
        receivedSince: Date? = nil, receivedBefore: Date? = nil, failedStage: PipelineStage? = nil
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
    /// A console user of this name exists already.
    case userExists(name: String)
    /// A field or checkbox group the item does not have.
    case unknownField(id: ItemID, name: String)

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
        case .userExists(let name):
            return "A console user named \(name) exists already; choose another name."
        case .unknownField(let id, let name):
            return "Queue item \(id) has no field or checkbox group named \(name)."
        }
    }
}
