import Foundation

/// The state rules every store applies, kept in one place so SQLite and in-memory cannot drift apart.
///
/// Each transition is a pure function from the stored item to the item to store; the stores only
/// differ in how they read and write it atomically.
enum QueueRules {
    /// Checks a submission and builds the first stored version of it.
    static func newItem(_ new: NewItem, id: ItemID, now: Date) throws(QueueStoreError) -> QueueItem {
        let sha = try canonicalSHA256(new.sha256)
        try validate(new.content, sha256: sha)
        switch (new.status, new.failure) {
        case (.queued, nil), (.failed, .some):
            break
        case (.queued, .some):
            throw .invalidItem(sha256: sha, reason: "a queued item must not carry a failure record")
        case (.failed, nil):
            throw .invalidItem(sha256: sha, reason: "a failed item needs a failure record saying which stage failed and why")
        case (.processing, _), (.done, _):
            throw .invalidItem(sha256: sha, reason: "new items start as queued or failed, not \(new.status)")
        }
        if new.pageCount < 0 {
            throw .invalidItem(sha256: sha, reason: "page count \(new.pageCount) is negative")
        }
        let note: String
        if let failure = new.failure {
            note = failureNote(failure)
        } else {
            note = "queued on route \(new.content.route)"
        }
        var item = QueueItem(
            id: id, route: "", priority: .standard, dueBy: nil, status: new.status,
            receivedAt: new.receivedAt, queuedAt: new.status == .queued ? now : nil,
            channel: new.channel, faxLine: new.faxLine, caller: new.caller, stationID: new.stationID,
            sourceFileName: new.sourceFileName, sha256: sha, archivePath: new.archivePath,
            pageCount: new.pageCount, formPage: nil, formID: nil, fields: [:], checkboxes: [:],
            flags: [], duplicateOf: nil, duplicateKey: nil, serviceDate: nil,
            failure: new.failure, history: [HistoryEntry(at: now, status: new.status, note: note)]
        )
        item.content = new.content
        return item
    }

    static func failing(_ item: QueueItem, with failure: FailureRecord, now: Date) throws(QueueStoreError) -> QueueItem {
        if item.status == .done {
            throw .invalidTransition(
                id: item.id, from: .done, to: .failed,
                hint: "a reviewer already finished it; reopen it with setStatus(.queued) first if it really must be reprocessed"
            )
        }
        var updated = item
        updated.status = .failed
        updated.failure = failure
        updated.history.append(HistoryEntry(at: now, status: .failed, note: failureNote(failure)))
        return updated
    }

    /// Nil means "already queued, nothing to do" so reprocessing twice is harmless.
    static func requeueing(
        _ item: QueueItem, with content: ItemContent, note: String, now: Date
    ) throws(QueueStoreError) -> QueueItem? {
        switch item.status {
        case .queued:
            return nil
        case .processing, .done:
            throw .invalidTransition(
                id: item.id, from: item.status, to: .queued,
                hint: "only failed items are reprocessed; a worker or reviewer has this one"
            )
        case .failed:
            break
        }
        try validate(content, sha256: item.sha256)
        var updated = item
        updated.content = content
        updated.status = .queued
        updated.queuedAt = now
        // The failure is over; its stage, reason and attempt count stay readable in the history.
        updated.failure = nil
        updated.history.append(HistoryEntry(at: now, status: .queued, note: note))
        return updated
    }

    static func settingStatus(
        _ item: QueueItem, to status: ItemStatus, expecting: ItemStatus?, note: String, now: Date
    ) throws(QueueStoreError) -> QueueItem {
        if let expecting, item.status != expecting {
            throw .statusChanged(id: item.id, expected: expecting, actual: item.status)
        }
        if status == .failed {
            throw .invalidTransition(
                id: item.id, from: item.status, to: .failed,
                hint: "use markFailed so the item records which stage failed and why"
            )
        }
        if item.status == .failed, status != .done {
            throw .invalidTransition(
                id: item.id, from: .failed, to: status,
                hint: "use requeue with the reprocessed content, or setStatus(.done) if a reviewer handled it by hand"
            )
        }
        var updated = item
        if status == .queued, item.status != .queued {
            updated.queuedAt = now
        }
        updated.status = status
        updated.history.append(HistoryEntry(at: now, status: status, note: note))
        return updated
    }

    static func matches(_ item: QueueItem, _ filter: ItemFilter) -> Bool {
        if let route = filter.route, item.route != route { return false }
        if let status = filter.status, item.status != status { return false }
        if let channel = filter.channel, item.channel != channel { return false }
        if let since = filter.receivedSince, !(item.receivedAt >= since) { return false }
        if let before = filter.receivedBefore, !(item.receivedAt < before) { return false }
        if let stage = filter.failedStage, item.failure?.stage != stage { return false }
        return true
    }

    /// Queue order; `SQLiteQueueStore.orderClause` is the same order in SQL.
    static func precedes(_ a: QueueItem, _ b: QueueItem) -> Bool {
        if a.priority.sortRank != b.priority.sortRank {
            return a.priority.sortRank < b.priority.sortRank
        }
        switch (a.dueBy, b.dueBy) {
        case let (x?, y?) where x != y: return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default: return a.id < b.id
        }
    }

    /// The window test written as SQLite evaluates it, so rounding at the edges agrees.
    static func isPossibleDuplicate(
        _ item: QueueItem, key: String, serviceDate: Date?, receivedAt: Date,
        window: TimeInterval, excluding sha256: String
    ) -> Bool {
        guard item.duplicateKey == key, item.sha256 != sha256 else { return false }
        let at = receivedAt.timeIntervalSinceReferenceDate
        let other = item.receivedAt.timeIntervalSinceReferenceDate
        guard other >= at - window, other <= at + window else { return false }
        if let serviceDate {
            return item.serviceDate == serviceDate
        }
        return true
    }

    static func earlierReceived(_ a: QueueItem, _ b: QueueItem) -> Bool {
        a.receivedAt != b.receivedAt ? a.receivedAt < b.receivedAt : a.id < b.id
    }

    /// Byte order, as SQLite's default BINARY collation sorts text.
    static func countOrder(_ a: QueueCount, _ b: QueueCount) -> Bool {
        if a.route != b.route {
            return a.route.utf8.lexicographicallyPrecedes(b.route.utf8)
        }
        return a.status.rawValue.utf8.lexicographicallyPrecedes(b.status.rawValue.utf8)
    }

    /// Idempotency rests on one spelling per file, so the hash is checked and lowered here.
    static func canonicalSHA256(_ sha256: String) throws(QueueStoreError) -> String {
        let lowered = sha256.lowercased()
        guard lowered.utf8.count == 64, lowered.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw .invalidItem(sha256: sha256, reason: "sha256 must be 64 hex digits")
        }
        return lowered
    }

    /// Lookups use the same spelling as inserts; a malformed hash simply matches nothing.
    static func lookupSHA256(_ sha256: String) -> String {
        sha256.lowercased()
    }

    private static func validate(_ content: ItemContent, sha256: String) throws(QueueStoreError) {
        if content.route.isEmpty {
            throw .invalidItem(sha256: sha256, reason: "route is empty; use \"unrouted\" when no route applies")
        }
        // JSON cannot hold NaN or infinity; refusing here keeps both stores identical.
        for (name, field) in content.fields where !field.confidence.isFinite {
            throw .invalidItem(sha256: sha256, reason: "field \(name) has non-finite confidence \(field.confidence)")
        }
        for (name, group) in content.checkboxes where !group.confidence.isFinite {
            throw .invalidItem(sha256: sha256, reason: "checkbox group \(name) has non-finite confidence \(group.confidence)")
        }
    }

    private static func failureNote(_ failure: FailureRecord) -> String {
        let kind = failure.permanent ? "permanently" : "attempt \(failure.attempts)"
        return "failed at \(failure.stage) (\(kind)): \(failure.reason)"
    }
}
