import Foundation

/// The state rules of the queue, as pure functions from the stored item to the item to store.
///
/// Kept apart from the SQL so each rule reads as a whole; the store only reads and writes atomically.
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
        case (.processing, _), (.done, _), (.verified, _):
            throw .invalidItem(sha256: sha, reason: "new items start as queued or failed, not \(new.status)")
        }
        if new.pageCount < 0 {
            throw .invalidItem(sha256: sha, reason: "page count \(new.pageCount) is negative")
        }
        try validate(new.pageRange, formPage: new.content.formPage, pageCount: new.pageCount, sha256: sha)
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
            pageCount: new.pageCount, pageRange: new.pageRange, formPage: nil, formID: nil, fields: [:], checkboxes: [:],
            flags: [], duplicateOf: nil, duplicateKey: nil, serviceDate: nil,
            failure: new.failure, history: [HistoryEntry(at: now, status: new.status, note: note)]
        )
        item.content = new.content
        return item
    }

    static func failing(_ item: QueueItem, with failure: FailureRecord, now: Date) throws(QueueStoreError) -> QueueItem {
        if item.status == .done || item.status == .verified {
            throw .invalidTransition(
                id: item.id, from: item.status, to: .failed,
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
        _ item: QueueItem, with content: ItemContent, pageRange: PageRange?, pageCount: Int? = nil, note: String, now: Date
    ) throws(QueueStoreError) -> QueueItem? {
        switch item.status {
        case .queued:
            return nil
        case .processing, .done, .verified:
            throw .invalidTransition(
                id: item.id, from: item.status, to: .queued,
                hint: "only failed items are reprocessed; a worker or reviewer has this one"
            )
        case .failed:
            break
        }
        try validate(content, sha256: item.sha256)
        if let pageCount, pageCount < 0 {
            throw .invalidItem(sha256: item.sha256, reason: "page count \(pageCount) is negative")
        }
        try validate(pageRange, formPage: content.formPage, pageCount: pageCount ?? item.pageCount, sha256: item.sha256)
        var updated = item
        if let pageCount { updated.pageCount = pageCount }
        updated.content = content
        updated.pageRange = pageRange
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
        // JSON cannot hold NaN or infinity; refusing here gives a clear reason instead of an encoder error.
        for (name, field) in content.fields where !field.confidence.isFinite {
            throw .invalidItem(sha256: sha256, reason: "field \(name) has non-finite confidence \(field.confidence)")
        }
        for (name, group) in content.checkboxes where !group.confidence.isFinite {
            throw .invalidItem(sha256: sha256, reason: "checkbox group \(name) has non-finite confidence \(group.confidence)")
        }
    }

    /// A request's pages lie inside its file, and its form page inside its pages.
    private static func validate(
        _ pageRange: PageRange?, formPage: Int?, pageCount: Int, sha256: String
    ) throws(QueueStoreError) {
        // Request page 0 stands for "no form", so a form page must be 1 or more to stay distinct from it.
        if let formPage, formPage < 1 {
            throw .invalidItem(sha256: sha256, reason: "form page \(formPage) is not a 1-based page number")
        }
        guard let pageRange else { return }
        guard 1 <= pageRange.first, pageRange.first <= pageRange.last, pageRange.last <= pageCount else {
            throw .invalidItem(
                sha256: sha256,
                reason: "page range \(pageRange.first)-\(pageRange.last) is not within the file's \(pageCount) pages"
            )
        }
        if let formPage, !pageRange.contains(formPage) {
            throw .invalidItem(
                sha256: sha256,
                reason: "form page \(formPage) lies outside the request's pages \(pageRange.first)-\(pageRange.last)"
            )
        }
    }

    private static func failureNote(_ failure: FailureRecord) -> String {
        let kind = failure.permanent ? "permanently" : "attempt \(failure.attempts)"
        return "failed at \(failure.stage) (\(kind)): \(failure.reason)"
    }
}
