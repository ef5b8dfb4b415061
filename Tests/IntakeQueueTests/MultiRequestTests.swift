import Dispatch
import Foundation
import Testing

@testable import IntakeQueue

/// Files holding several request forms: one item per request, keyed by (SHA-256, form page).
@Suite("QueueStore: several requests per file")
struct MultiRequestTests {
    @Test("a file's requests are inserted together, each its own item with its pages", arguments: StoreKind.allCases)
    func insertSeveral(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let requests = [
            sampleRequest(1, formPage: 1, pages: 1...3),
            sampleRequest(1, formPage: 4, pages: 4...6, route: "snf"),
            sampleRequest(1, formPage: 7, pages: 7...10),
        ]

        let outcomes = try store.insert(requests)

        #expect(outcomes.map(\.wasInserted) == [true, true, true])
        let items = outcomes.map(\.item)
        #expect(Set(items.map(\.id)).count == 3)
        #expect(items.map(\.formPage) == [1, 4, 7])
        #expect(items.map(\.pageRange) == [
            PageRange(first: 1, last: 3), PageRange(first: 4, last: 6), PageRange(first: 7, last: 10),
        ])
        #expect(items.map(\.route) == ["elective", "snf", "elective"])
        #expect(items.allSatisfy { $0.sha256 == sha(1) && $0.pageCount == 10 && $0.status == .queued })
        for item in items {
            #expect(try store.item(id: item.id) == item)
        }
        #expect(try store.items(sha256: sha(1)) == items)
        #expect(try store.item(sha256: sha(1)) == items[0])
    }

    @Test("one refused request rolls back the whole file", arguments: StoreKind.allCases)
    func refusedRequestRollsBack(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        try insertNew(store, sampleItem(9))
        var bad = sampleRequest(1, formPage: 7, pages: 7...10)
        bad.content.fields["member_id"]?.confidence = .nan
        let batch = [sampleRequest(1, formPage: 1, pages: 1...3), sampleRequest(1, formPage: 4, pages: 4...6), bad]

        let error = #expect(throws: QueueStoreError.self) { try store.insert(batch) }
        guard case .invalidItem(sha(1), _)? = error else {
            Issue.record("expected invalidItem for the third request, got \(String(describing: error))")
            return
        }
        #expect(try store.items(sha256: sha(1)).isEmpty)
        #expect(try store.all().map(\.sha256) == [sha(9)])

        // Fixed, the same file goes in whole, and ids carry on as if the refused attempt never happened.
        let outcomes = try store.insert(Array(batch.dropLast()) + [sampleRequest(1, formPage: 7, pages: 7...10)])
        #expect(outcomes.map(\.wasInserted) == [true, true, true])
        #expect(try store.items(sha256: sha(1)).count == 3)
    }

    @Test("a file is unique per form page: resubmitting it changes nothing, a new form page is added", arguments: StoreKind.allCases)
    func uniquePerFormPage(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let first = try store.insert([sampleRequest(1, formPage: 1, pages: 1...3), sampleRequest(1, formPage: 4, pages: 4...6)])
        fixture.clock.advance(by: 60)

        // Same bytes again (e.g. a crash between commit and unlink): both already present, unchanged.
        var again = [sampleRequest(1, formPage: 1, pages: 1...3), sampleRequest(1, formPage: 4, pages: 4...10, route: "snf")]
        again[0].sha256 = sha(1).uppercased()
        let second = try store.insert(again)
        #expect(second == first.map { .alreadyPresent($0.item) })

        // A batch mixing a stored request and a new one.
        let mixed = try store.insert([sampleRequest(1, formPage: 4, pages: 4...6), sampleRequest(1, formPage: 9, pages: 9...10)])
        #expect(mixed[0] == .alreadyPresent(first[1].item))
        #expect(mixed[1].wasInserted)

        // Two requests of one batch on the same form page: the second is the first, already present.
        let doubled = try store.insert([sampleRequest(2, formPage: 3, pages: 3...4), sampleRequest(2, formPage: 3, pages: 3...5)])
        #expect(doubled.map(\.wasInserted) == [true, false])
        #expect(doubled[1].item == doubled[0].item)

        #expect(try store.items(sha256: sha(1)).map(\.formPage) == [1, 4, 9])
        #expect(try store.all().count == 4)
    }

    @Test("a no-form item and a form-page-2 item of the same file coexist", arguments: StoreKind.allCases)
    func noFormAndFormPageTwo(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        var noForm = sampleRequest(1, formPage: nil, pages: nil, route: "unrouted")
        noForm.status = .failed
        noForm.failure = sampleFailure(stage: .validate)
        let outcomes = try store.insert([sampleRequest(1, formPage: 2, pages: 2...5), noForm])

        #expect(outcomes.map(\.wasInserted) == [true, true])
        // Request page 0 (no form) sorts before page 2.
        #expect(try store.items(sha256: sha(1)).map(\.formPage) == [nil, 2])
        #expect(try store.insert(noForm) == .alreadyPresent(outcomes[1].item))
        var anotherNoForm = sampleRequest(1, formPage: nil, pages: 6...10)
        anotherNoForm.content.route = "snf"
        #expect(try store.insert(anotherNoForm) == .alreadyPresent(outcomes[1].item))
    }

    @Test("items(sha256:) orders by request page then id; siblings are the file's other items", arguments: StoreKind.allCases)
    func itemsAndSiblings(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let late = try insertNew(store, sampleRequest(1, formPage: 5, pages: 5...6))
        let alone = try insertNew(store, sampleItem(2))
        let early = try insertNew(store, sampleRequest(1, formPage: 2, pages: 2...4))
        let noForm = try insertNew(store, sampleRequest(1, formPage: nil, pages: nil))

        #expect(try store.items(sha256: sha(1)).map(\.id) == [noForm.id, early.id, late.id])
        #expect(try store.items(sha256: sha(1).uppercased()).map(\.id) == [noForm.id, early.id, late.id])
        #expect(try store.items(sha256: sha(3)).isEmpty)
        #expect(try store.items(sha256: "not-a-hash").isEmpty)

        #expect(try store.siblings(of: early.id) == [noForm.id, late.id])
        #expect(try store.siblings(of: noForm.id) == [early.id, late.id])
        #expect(try store.siblings(of: alone.id) == [])
        #expect(throws: QueueStoreError.notFound(ItemID(999))) { try store.siblings(of: ItemID(999)) }
    }

    @Test("requeue replaces a failed item's content and pages and adds the file's other requests", arguments: StoreKind.allCases)
    func requeueAddingSiblings(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        var failedNew = sampleRequest(1, formPage: nil, pages: nil, route: "unrouted")
        failedNew.status = .failed
        failedNew.failure = sampleFailure(stage: .extract)
        let failed = try insertNew(store, failedNew)
        let other = try insertNew(store, sampleItem(2))
        fixture.clock.advance(by: 30)

        var content = sampleContent(route: "snf", priority: .urgent, dueBy: day(1), formPage: 1)
        content.flags = []
        let adding = [sampleRequest(1, formPage: 4, pages: 4...6), sampleRequest(1, formPage: 7, pages: 7...10)]
        let result = try store.requeue(
            id: failed.id, with: content, pageRange: PageRange(first: 1, last: 3), note: "reprocessed: 3 requests",
            adding: adding
        )

        #expect(result.count == 3)
        let requeued = result[0]
        #expect(requeued.id == failed.id)
        #expect(requeued.status == .queued && requeued.failure == nil)
        #expect(requeued.content == content)
        #expect(requeued.formPage == 1)
        #expect(requeued.pageRange == PageRange(first: 1, last: 3))
        #expect(requeued.history.map(\.note).last == "reprocessed: 3 requests")
        #expect(result[1...].map(\.formPage) == [4, 7])
        #expect(result[1...].allSatisfy { $0.status == .queued && $0.queuedAt == fixture.clock.now() })
        #expect(try store.items(sha256: sha(1)) == result)
        #expect(try store.siblings(of: failed.id) == result[1...].map(\.id))
        #expect(try store.item(id: other.id) == other)

        // Reprocessing again (e.g. `reprocess --failed` run twice): nothing changes, the same items come back.
        fixture.clock.advance(by: 30)
        let again = try store.requeue(
            id: failed.id, with: sampleContent(route: "elective", formPage: 1), pageRange: PageRange(first: 1, last: 2),
            note: "reprocessed again", adding: adding
        )
        #expect(again == result)
        #expect(try store.items(sha256: sha(1)) == result)
        #expect(try store.all().count == 4)
    }

    @Test("requeue returns requests already stored as they are, and keeps the page range in its short form", arguments: StoreKind.allCases)
    func requeueWithPresentSibling(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        // The file's first request went through; the one on page 4 failed at validation.
        let good = try insertNew(store, sampleRequest(1, formPage: 1, pages: 1...3))
        var failedNew = sampleRequest(1, formPage: 4, pages: 4...10)
        failedNew.status = .failed
        failedNew.failure = sampleFailure(stage: .validate)
        let failed = try insertNew(store, failedNew)

        let result = try store.requeue(
            id: failed.id, with: sampleContent(formPage: 4), pageRange: PageRange(first: 4, last: 6), note: "reprocessed",
            adding: [sampleRequest(1, formPage: 1, pages: 1...3), sampleRequest(1, formPage: 7, pages: 7...10)]
        )
        #expect(result.map(\.formPage) == [4, 1, 7])
        #expect(result[1] == good)
        #expect(try store.items(sha256: sha(1)).count == 3)

        // The single-item form keeps the stored page range.
        let third = result[2]
        _ = try store.markFailed(id: third.id, failure: sampleFailure())
        let requeued = try store.requeue(id: third.id, with: sampleContent(route: "snf", formPage: 7), note: "again")
        #expect(requeued.pageRange == PageRange(first: 7, last: 10))
        #expect(requeued.route == "snf")
    }

    @Test("a refused requeue changes nothing: another file's request, a bad request, a form page already taken", arguments: StoreKind.allCases)
    func refusedRequeueChangesNothing(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let taken = try insertNew(store, sampleRequest(1, formPage: 2, pages: 2...3))
        var failedNew = sampleRequest(1, formPage: nil, pages: nil)
        failedNew.status = .failed
        failedNew.failure = sampleFailure()
        let failed = try insertNew(store, failedNew)
        let content = sampleContent(formPage: 5)
        let range = PageRange(first: 5, last: 6)

        var bad = sampleRequest(1, formPage: 8, pages: 8...9)
        bad.content.route = ""
        let refusals: [(String, () throws(QueueStoreError) -> [QueueItem])] = [
            ("another file", { () throws(QueueStoreError) in
                try store.requeue(id: failed.id, with: content, pageRange: range, note: "x",
                                  adding: [sampleRequest(1, formPage: 7, pages: 7...8), sampleRequest(2, formPage: 1, pages: 1...2)])
            }),
            ("a bad request", { () throws(QueueStoreError) in
                try store.requeue(id: failed.id, with: content, pageRange: range, note: "x",
                                  adding: [sampleRequest(1, formPage: 7, pages: 7...8), bad])
            }),
            ("form page taken", { () throws(QueueStoreError) in
                try store.requeue(id: failed.id, with: sampleContent(formPage: 2), pageRange: PageRange(first: 2, last: 3),
                                  note: "x", adding: [])
            }),
            ("pages outside the file", { () throws(QueueStoreError) in
                try store.requeue(id: failed.id, with: content, pageRange: PageRange(first: 5, last: 11), note: "x", adding: [])
            }),
        ]
        for (what, attempt) in refusals {
            let error = #expect(throws: QueueStoreError.self, "\(what)") { try attempt() }
            guard case .invalidItem? = error else {
                Issue.record("\(what): expected invalidItem, got \(String(describing: error))")
                continue
            }
            #expect(try store.item(id: failed.id) == failed, "\(what)")
            #expect(try store.items(sha256: sha(1)).map(\.id) == [failed.id, taken.id], "\(what)")
            #expect(try store.all().count == 2, "\(what)")
        }
    }

    @Test("a file that failed before its pages were counted is requeued with the count reprocessing found", arguments: StoreKind.allCases)
    func requeueLearnsThePageCount(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        var failedNew = sampleItem(3, route: "elective", formPage: nil, pageRange: nil, pageCount: 0)
        failedNew.status = .failed
        failedNew.failure = sampleFailure()
        let failed = try insertNew(store, failedNew)
        // Without the count, pages 1–3 lie outside a file of 0 pages.
        #expect(throws: QueueStoreError.self) {
            try store.requeue(id: failed.id, with: sampleContent(formPage: 1), pageRange: PageRange(first: 1, last: 3), note: "x", adding: [])
        }
        #expect(throws: QueueStoreError.self) {
            try store.requeue(id: failed.id, with: sampleContent(formPage: 1), pageRange: PageRange(first: 1, last: 3), pageCount: -1,
                              note: "x", adding: [])
        }
        let requeued = try store.requeue(id: failed.id, with: sampleContent(formPage: 1), pageRange: PageRange(first: 1, last: 3),
                                         pageCount: 3, note: "reprocessed", adding: [])
        #expect(requeued[0].status == .queued)
        #expect(try store.item(id: failed.id)?.pageCount == 3)
        #expect(try store.item(id: failed.id)?.pageRange == PageRange(first: 1, last: 3))
    }

    @Test("eight threads inserting the same three-request file make exactly three items", arguments: StoreKind.allCases)
    func concurrentMultiRequestInsert(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let outcomes = LockedArray<Result<[InsertOutcome], QueueStoreError>>()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let file = [
                sampleRequest(5, formPage: 1, pages: 1...2), sampleRequest(5, formPage: 3, pages: 3...4),
                sampleRequest(5, formPage: 5, pages: 5...10),
            ]
            outcomes.append(Result { () throws(QueueStoreError) in try store.insert(file) })
        }
        let batches = try outcomes.values.map { try $0.get() }
        #expect(batches.count == 8)
        // One thread inserted the whole file; every other found all of it.
        #expect(batches.filter { $0.allSatisfy(\.wasInserted) }.count == 1)
        #expect(batches.filter { $0.allSatisfy { !$0.wasInserted } }.count == 7)
        #expect(Set(batches.flatMap { $0.map(\.item.id) }).count == 3)
        #expect(try store.items(sha256: sha(5)).count == 3)
    }
}
