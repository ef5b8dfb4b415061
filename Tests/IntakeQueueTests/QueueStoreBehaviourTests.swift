import Dispatch
import Foundation
import Testing

@testable import IntakeQueue

/// Behaviour every `QueueStore` must share; each test runs against both implementations.
@Suite("QueueStore behaviour")
struct QueueStoreBehaviourTests {
    @Test("insert then read back keeps every field", arguments: StoreKind.allCases)
    func roundTrip(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        var new = sampleItem(1, priority: .urgent, dueBy: day(3) + 0.001, duplicateKey: "k-hash", serviceDate: day(10))
        new.content.duplicateOf = ItemID(42)
        new.content.member = MemberCheck(status: .notEligible, plan: "Ohio Medicaid", coverageStart: "2012-02-01", coverageEnd: "2025-12-31")
        new.content.servicingProvider = ProviderNetworkCheck(network: .out)
        new.sha256 = sha(1).uppercased()

        let inserted = try insertNew(fixture.store, new)

        #expect(inserted.sha256 == sha(1))
        #expect(inserted.content == new.content)
        #expect(inserted.status == .queued)
        #expect(inserted.queuedAt == fixture.clock.now())
        #expect(inserted.failure == nil)
        #expect(inserted.history == [HistoryEntry(at: fixture.clock.now(), status: .queued, note: "queued on route elective")])
        #expect(inserted.receivedAt == new.receivedAt)
        #expect(inserted.channel == .fax)
        #expect(inserted.faxLine == "+1-555-0100")
        #expect(inserted.caller == "+1-555-0199")
        #expect(inserted.stationID == "DR SMITH OFFICE")
        #expect(inserted.sourceFileName == "fax-1.tif")
        #expect(inserted.archivePath == new.archivePath)
        #expect(inserted.pageCount == 4)
        #expect(inserted.pageRange == PageRange(first: 2, last: 4))

        #expect(try fixture.store.item(id: inserted.id) == inserted)
        #expect(try fixture.store.item(sha256: sha(1)) == inserted)
        #expect(try fixture.store.item(sha256: sha(1).uppercased()) == inserted)
        #expect(try fixture.store.item(sha256: sha(2)) == nil)
        #expect(try fixture.store.item(id: ItemID(inserted.id.rawValue + 100)) == nil)
    }

    @Test("mail items without fax metadata round-trip", arguments: StoreKind.allCases)
    func mailRoundTrip(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        var new = sampleItem(1, route: "unrouted", channel: .mail)
        new.content = ItemContent(route: "unrouted", priority: .standard)
        new.pageRange = nil
        let inserted = try insertNew(fixture.store, new)
        #expect(inserted.faxLine == nil && inserted.caller == nil && inserted.stationID == nil)
        #expect(inserted.formPage == nil && inserted.formID == nil && inserted.dueBy == nil && inserted.pageRange == nil)
        #expect(inserted.fields.isEmpty && inserted.checkboxes.isEmpty && inserted.flags.isEmpty)
        #expect(try fixture.store.item(id: inserted.id) == inserted)
    }

    @Test("a failed submission is stored failed with its failure record", arguments: StoreKind.allCases)
    func insertFailed(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let failure = sampleFailure(stage: .decode, permanent: true)
        let inserted = try insertNew(fixture.store, sampleItem(1, route: "unrouted", status: .failed, failure: failure))
        #expect(inserted.status == .failed)
        #expect(inserted.failure == failure)
        #expect(inserted.queuedAt == nil)
        #expect(inserted.history.map(\.status) == [.failed])
        #expect(try fixture.store.item(id: inserted.id) == inserted)
    }

    @Test("the same SHA-256 inserted twice gives one item", arguments: StoreKind.allCases)
    func idempotentInsert(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let first = try insertNew(fixture.store, sampleItem(7))
        fixture.clock.advance(by: 30)
        var again = sampleItem(7, route: "snf", priority: .urgent)
        again.sha256 = sha(7).uppercased()

        let outcome = try fixture.store.insert(again)

        #expect(outcome == .alreadyPresent(first))
        #expect(try fixture.store.all() == [first])
    }

    @Test("eight threads inserting the same file make exactly one item", arguments: StoreKind.allCases)
    func concurrentIdempotentInsert(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        try insertNew(fixture.store, sampleItem(1))
        let outcomes = LockedArray<Result<InsertOutcome, QueueStoreError>>()
        let store = fixture.store
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            var new = sampleItem(99)
            new.archivePath = "/archive/attempt-\(thread).tif"
            outcomes.append(Result { () throws(QueueStoreError) in try store.insert(new) })
        }

        let results = outcomes.values
        #expect(results.count == 8)
        let items = try results.map { try $0.get() }
        #expect(items.filter(\.wasInserted).count == 1)
        #expect(Set(items.map(\.item.id)).count == 1)
        #expect(try fixture.store.all().filter { $0.sha256 == sha(99) }.count == 1)
        #expect(try fixture.store.all().count == 2)
    }

    @Test("list orders urgent first, then by due date (undated last), then id", arguments: StoreKind.allCases)
    func ordering(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let standardEarly = try insertNew(fixture.store, sampleItem(1, priority: .standard, dueBy: day(1)))
        let urgentUndated = try insertNew(fixture.store, sampleItem(2, priority: .urgent))
        let urgentLate = try insertNew(fixture.store, sampleItem(3, priority: .urgent, dueBy: day(5)))
        let standardUndated = try insertNew(fixture.store, sampleItem(4, priority: .standard))
        let urgentEarly = try insertNew(fixture.store, sampleItem(5, priority: .urgent, dueBy: day(2)))
        let urgentLateTie = try insertNew(fixture.store, sampleItem(6, priority: .urgent, dueBy: day(5)))

        let order = try fixture.store.all().map(\.id)

        #expect(order == [urgentEarly, urgentLate, urgentLateTie, urgentUndated, standardEarly, standardUndated].map(\.id))
    }

    @Test("filters select by route, status, channel, receive time and failed stage", arguments: StoreKind.allCases)
    func filters(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let elective = try insertNew(store, sampleItem(1, route: "elective", receivedAt: day(0)))
        let snfMail = try insertNew(store, sampleItem(2, route: "snf", receivedAt: day(1), channel: .mail))
        let emergency = try insertNew(store, sampleItem(3, route: "emergency_inpatient", receivedAt: day(2)))
        let decodeFailed = try insertNew(
            store, sampleItem(4, route: "unrouted", receivedAt: day(3), status: .failed, failure: sampleFailure(stage: .decode))
        )
        let extractFailed = try store.markFailed(id: emergency.id, failure: sampleFailure(stage: .extract))

        func ids(_ filter: ItemFilter) throws -> Set<ItemID> {
            Set(try store.list(filter).map(\.id))
        }
        #expect(try ids(ItemFilter()) == [elective.id, snfMail.id, emergency.id, decodeFailed.id])
        #expect(try ids(ItemFilter(route: "snf")) == [snfMail.id])
        #expect(try ids(ItemFilter(route: "nowhere")) == [])
        #expect(try ids(ItemFilter(status: .failed)) == [decodeFailed.id, extractFailed.id])
        #expect(try ids(ItemFilter(status: .queued)) == [elective.id, snfMail.id])
        #expect(try ids(ItemFilter(channel: .mail)) == [snfMail.id])
        #expect(try ids(ItemFilter(channel: .fax)) == [elective.id, emergency.id, decodeFailed.id])
        // receivedSince is inclusive and receivedBefore exclusive, so adjacent windows don't overlap.
        #expect(try ids(ItemFilter(receivedSince: day(1))) == [snfMail.id, emergency.id, decodeFailed.id])
        #expect(try ids(ItemFilter(receivedBefore: day(1))) == [elective.id])
        #expect(try ids(ItemFilter(receivedSince: day(1), receivedBefore: day(3))) == [snfMail.id, emergency.id])
        #expect(try ids(ItemFilter(failedStage: .decode)) == [decodeFailed.id])
        #expect(try ids(ItemFilter(failedStage: .extract)) == [extractFailed.id])
        #expect(try ids(ItemFilter(route: "unrouted", status: .failed, channel: .fax, failedStage: .decode)) == [decodeFailed.id])
        #expect(try ids(ItemFilter(route: "unrouted", status: .queued)) == [])
    }

    @Test("markFailed then requeue keeps the id, replaces content and grows history", arguments: StoreKind.allCases)
    func failThenRequeue(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let original = try insertNew(store, sampleItem(1, route: "unrouted"))
        let firstTime = fixture.clock.now()

        fixture.clock.advance(by: 10)
        let failure = sampleFailure(stage: .extract, attempts: 2)
        let failed = try store.markFailed(id: original.id, failure: failure)
        #expect(failed.status == .failed)
        #expect(failed.failure == failure)
        #expect(failed.history.count == 2)
        #expect(try store.item(id: original.id) == failed)

        fixture.clock.advance(by: 10)
        let reprocessed = sampleContent(route: "snf", priority: .urgent, dueBy: day(2), duplicateKey: "k", serviceDate: day(9))
        let requeued = try store.requeue(id: original.id, with: reprocessed, note: "reprocessed with template rev 2")

        #expect(requeued.id == original.id)
        #expect(requeued.status == .queued)
        #expect(requeued.content == reprocessed)
        #expect(requeued.failure == nil)
        #expect(requeued.queuedAt == fixture.clock.now())
        #expect(requeued.sha256 == original.sha256)
        #expect(requeued.receivedAt == original.receivedAt)
        #expect(requeued.history.map(\.status) == [.queued, .failed, .queued])
        #expect(requeued.history.map(\.at) == [firstTime, firstTime + 10, firstTime + 20])
        #expect(requeued.history.last?.note == "reprocessed with template rev 2")
        #expect(requeued.history[1].note.contains("extract"))
        #expect(try store.item(id: original.id) == requeued)
        #expect(try store.all().count == 1)
    }

    @Test("requeue on a queued item is a no-op that returns the item", arguments: StoreKind.allCases)
    func requeueQueuedIsNoOp(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let item = try insertNew(store, sampleItem(1))
        fixture.clock.advance(by: 5)

        let result = try store.requeue(id: item.id, with: sampleContent(route: "snf"), note: "again")
        #expect(result == item)
        #expect(try store.item(id: item.id) == item)

        // Reprocessing the same failure twice: the second requeue changes nothing.
        _ = try store.markFailed(id: item.id, failure: sampleFailure())
        let once = try store.requeue(id: item.id, with: sampleContent(route: "snf"), note: "reprocessed")
        fixture.clock.advance(by: 5)
        let twice = try store.requeue(id: item.id, with: sampleContent(route: "elective"), note: "reprocessed")
        #expect(twice == once)
        #expect(twice.history.count == 3)
    }

    @Test("requeue refuses items a worker or reviewer has", arguments: StoreKind.allCases)
    func requeueRefusesClaimedItems(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let item = try insertNew(store, sampleItem(1))
        try store.setStatus(id: item.id, .processing, note: "claimed by reviewer A")

        let error = #expect(throws: QueueStoreError.self) {
            try store.requeue(id: item.id, with: sampleContent(), note: "reprocess")
        }
        guard case .invalidTransition(let id, .processing, .queued, _)? = error else {
            Issue.record("expected invalidTransition, got \(String(describing: error))")
            return
        }
        #expect(id == item.id)
        #expect(try store.item(id: item.id)?.history.count == 2)
    }

    @Test("setStatus appends history and a conditional claim succeeds only once", arguments: StoreKind.allCases)
    func setStatusAndClaim(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let item = try insertNew(store, sampleItem(1))

        let claimed = try store.setStatus(id: item.id, .processing, expecting: .queued, note: "worker 1")
        #expect(claimed.status == .processing)
        #expect(claimed.history.last == HistoryEntry(at: fixture.clock.now(), status: .processing, note: "worker 1"))

        let lost = #expect(throws: QueueStoreError.self) {
            try store.setStatus(id: item.id, .processing, expecting: .queued, note: "worker 2")
        }
        #expect(lost == .statusChanged(id: item.id, expected: .queued, actual: .processing))

        let done = try store.setStatus(id: item.id, .done, note: "approved")
        #expect(done.history.map(\.status) == [.queued, .processing, .done])
        #expect(try store.item(id: item.id) == done)

        #expect(throws: QueueStoreError.self) {
            try store.markFailed(id: item.id, failure: sampleFailure())
        }
        #expect(throws: QueueStoreError.self) {
            try store.setStatus(id: item.id, .failed, note: "no failure record")
        }
        #expect(try store.item(id: item.id) == done)
    }

    @Test("a failed item leaves failed only through requeue or by being marked done", arguments: StoreKind.allCases)
    func leavingFailed(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let item = try insertNew(store, sampleItem(1, status: .failed, failure: sampleFailure(stage: .decode)))
        #expect(throws: QueueStoreError.self) {
            try store.setStatus(id: item.id, .queued, note: "skip reprocessing")
        }
        let done = try store.setStatus(id: item.id, .done, note: "keyed in by hand")
        #expect(done.status == .done)
        #expect(done.failure?.stage == .decode)
    }

    @Test("operations on a missing id throw notFound", arguments: StoreKind.allCases)
    func missingID(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let missing = ItemID(12345)
        #expect(throws: QueueStoreError.notFound(missing)) {
            try fixture.store.markFailed(id: missing, failure: sampleFailure())
        }
        #expect(throws: QueueStoreError.notFound(missing)) {
            try fixture.store.requeue(id: missing, with: sampleContent(), note: "x")
        }
        #expect(throws: QueueStoreError.notFound(missing)) {
            try fixture.store.setStatus(id: missing, .done, note: "x")
        }
    }

    @Test("invalid submissions are refused and nothing is stored", arguments: StoreKind.allCases)
    func invalidSubmissions(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        var badHash = sampleItem(1)
        badHash.sha256 = "not-a-hash"
        var nanConfidence = sampleItem(2)
        nanConfidence.content.fields["member_id"]?.confidence = .nan
        let failedWithoutRecord = sampleItem(3, status: .failed)
        let queuedWithRecord = sampleItem(4, failure: sampleFailure())
        let startsDone = sampleItem(5, status: .done)
        let emptyRoute = sampleItem(6, route: "")
        let pagesPastTheEnd = sampleItem(8, pageRange: PageRange(first: 3, last: 5))
        let backwardsPages = sampleItem(9, pageRange: PageRange(first: 4, last: 3))
        let formOutsideItsPages = sampleItem(10, formPage: 1, pageRange: PageRange(first: 2, last: 4))
        let formPageZero = sampleItem(11, formPage: 0, pageRange: nil)

        for bad in [
            badHash, nanConfidence, failedWithoutRecord, queuedWithRecord, startsDone, emptyRoute,
            pagesPastTheEnd, backwardsPages, formOutsideItsPages, formPageZero,
        ] {
            let error = #expect(throws: QueueStoreError.self) { try store.insert(bad) }
            guard case .invalidItem? = error else {
                Issue.record("expected invalidItem for \(bad.sourceFileName), got \(String(describing: error))")
                continue
            }
        }
        #expect(try store.all().isEmpty)

        let item = try insertNew(store, sampleItem(7))
        _ = try store.markFailed(id: item.id, failure: sampleFailure())
        var badContent = sampleContent()
        badContent.checkboxes["setting"]?.confidence = .infinity
        #expect(throws: QueueStoreError.self) {
            try store.requeue(id: item.id, with: badContent, note: "x")
        }
        #expect(try store.item(id: item.id)?.status == .failed)
    }

    @Test("possibleDuplicate finds the earliest same-key item inside the window only", arguments: StoreKind.allCases)
    func possibleDuplicate(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let week: TimeInterval = 7 * 86_400
        let service = day(20)
        let earliest = try insertNew(store, sampleItem(1, receivedAt: day(0), duplicateKey: "K", serviceDate: service))
        let later = try insertNew(store, sampleItem(2, receivedAt: day(2), duplicateKey: "K", serviceDate: service))
        try insertNew(store, sampleItem(3, receivedAt: day(1), duplicateKey: "other", serviceDate: service))
        try insertNew(store, sampleItem(4, receivedAt: day(1), duplicateKey: "K", serviceDate: day(21)))
        try insertNew(store, sampleItem(5, receivedAt: day(30), duplicateKey: "K", serviceDate: service))

        // The re-sent fax (sha 9) received on day 3: items 1 and 2 are within a week; 1 is earliest.
        #expect(try store.possibleDuplicate(
            ofKey: "K", serviceDate: service, receivedAt: day(3), within: week, excluding: sha(9)
        ) == earliest)
        // Excluding itself: item 1 looking for duplicates finds item 2, not itself.
        #expect(try store.possibleDuplicate(
            ofKey: "K", serviceDate: service, receivedAt: day(0), within: week, excluding: sha(1)
        ) == later)
        // Window edge is inclusive: day 0 is exactly seven days before day 7.
        #expect(try store.possibleDuplicate(
            ofKey: "K", serviceDate: service, receivedAt: day(7), within: week, excluding: sha(9)
        ) == earliest)
        // Outside every window.
        #expect(try store.possibleDuplicate(
            ofKey: "K", serviceDate: service, receivedAt: day(15), within: week, excluding: sha(9)
        ) == nil)
        // Different service date on the only candidate in the window.
        #expect(try store.possibleDuplicate(
            ofKey: "K", serviceDate: day(22), receivedAt: day(1), within: 3600, excluding: sha(9)
        ) == nil)
        // Without a service date, key and receive window decide: item 4 (day 1) is nearest in a 1-hour window.
        #expect(try store.possibleDuplicate(
            ofKey: "K", serviceDate: nil, receivedAt: day(1) + 60, within: 3600, excluding: sha(9)
        )?.sha256 == sha(4))
        #expect(try store.possibleDuplicate(
            ofKey: "missing", serviceDate: nil, receivedAt: day(1), within: week, excluding: sha(9)
        ) == nil)
    }

    @Test("counts tally items per route and status", arguments: StoreKind.allCases)
    func counts(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        #expect(try store.counts().isEmpty)
        try insertNew(store, sampleItem(1, route: "snf"))
        try insertNew(store, sampleItem(2, route: "elective"))
        let third = try insertNew(store, sampleItem(3, route: "elective"))
        try insertNew(store, sampleItem(4, route: "unrouted", status: .failed, failure: sampleFailure()))
        let fifth = try insertNew(store, sampleItem(5, route: "elective"))
        try store.setStatus(id: third.id, .done, note: "approved")
        try store.setStatus(id: fifth.id, .processing, note: "claimed")

        #expect(try store.counts() == [
            QueueCount(route: "elective", status: .done, count: 1),
            QueueCount(route: "elective", status: .processing, count: 1),
            QueueCount(route: "elective", status: .queued, count: 1),
            QueueCount(route: "snf", status: .queued, count: 1),
            QueueCount(route: "unrouted", status: .failed, count: 1),
        ])
    }

    @Test("automation counts key fields not flagged and requests with nothing key flagged", arguments: StoreKind.allCases)
    func automation(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        // 1: member_id (key) flagged. 2: key fields clear, a context group flagged. 3: a key group flagged.
        // 4: no form. 5: failed. Only 1–3 count.
        var clear = sampleItem(2)
        clear.content.fields["member_id"]?.needsReview = false
        var groupFlagged = clear
        groupFlagged.sha256 = sha(3)
        groupFlagged.content.checkboxes["request_type"]?.needsReview = true
        var noForm = sampleItem(4, formPage: nil, pageRange: PageRange(first: 1, last: 4))
        noForm.content.fields["member_id"]?.needsReview = false
        for item in [sampleItem(1), clear, groupFlagged, noForm, sampleItem(5, status: .failed, failure: sampleFailure())] {
            _ = try insertNew(fixture.store, item)
        }
        let figures = try fixture.store.automation(receivedFrom: nil, before: nil,
                                                   keyFields: ["member_id", "procedure_code"], keyGroups: ["request_type"])
        #expect(figures == AutomationFigures(requests: 3, straightThrough: 1, keyFields: 6, keyFieldsAutomated: 5))
        let none = try fixture.store.automation(receivedFrom: baseDate + 86_400, before: nil, keyFields: ["member_id"], keyGroups: [])
        #expect(none == AutomationFigures(requests: 0, straightThrough: 0, keyFields: 0, keyFieldsAutomated: 0))
    }
}
