import Foundation
import Testing

@testable import IntakeQueue

/// The nightly report's aggregation, done in SQL by the store.
@Suite("QueueStore.reportFigures")
struct ReportFiguresTests {
    /// Three files on day 0 and one on day 1:
    /// - file 1, fax line A, 10 pages: three requests (elective, elective, snf);
    /// - file 2, mail, 3 pages: one request, urgent, past due;
    /// - file 3, fax line B, 2 pages: failed at decode;
    /// - file 4, fax line A, 5 pages, day 1: failed at extract.
    private func populate(_ fixture: StoreFixture) throws -> (file1: [QueueItem], file2: QueueItem) {
        let store = fixture.store
        let clock = fixture.clock
        func received(_ secondsBeforeNow: Double, day dayOffset: Double = 0) -> Date {
            clock.now() - secondsBeforeNow + dayOffset * 86_400
        }

        var file1 = [
            sampleRequest(1, formPage: 1, pages: 1...3), sampleRequest(1, formPage: 4, pages: 4...6),
            sampleRequest(1, formPage: 7, pages: 7...10, route: "snf"),
        ]
        for index in file1.indices {
            file1[index].receivedAt = received(600)
            file1[index].faxLine = "line-a"
            file1[index].content.dueBy = clock.now() + 3600
        }
        let first = try store.insert(file1).map(\.item)

        var file2 = sampleItem(2, priority: .urgent, dueBy: clock.now() - 60, receivedAt: received(60), channel: .mail, pageRange: PageRange(first: 1, last: 3), pageCount: 3)
        file2.content.formPage = 1
        let second = try insertNew(store, file2)

        var file3 = sampleItem(3, route: "unrouted", receivedAt: received(120), status: .failed,
                               failure: sampleFailure(stage: .decode), formPage: nil, pageRange: nil, pageCount: 2)
        file3.faxLine = "line-b"
        file3.content.fields = [:]
        try insertNew(store, file3)

        var file4 = sampleItem(4, route: "unrouted", receivedAt: received(0, day: 1), status: .failed,
                               failure: sampleFailure(stage: .extract), formPage: nil, pageRange: nil, pageCount: 5)
        file4.faxLine = "line-a"
        try insertNew(store, file4)
        return (first, second)
    }

    @Test("volumes count items as documents and each file's pages once", arguments: StoreKind.allCases)
    func volumes(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        _ = try populate(fixture)
        let dayStart = fixture.clock.now() - 3600
        let figures = try fixture.store.reportFigures(
            receivedFrom: dayStart, before: dayStart + 86_400, now: fixture.clock.now(), nearHours: 24
        )

        #expect(figures.documents == 5)
        #expect(figures.files == 3)
        #expect(figures.pages == 10 + 3 + 2)
        #expect(figures.byLine == [
            ReportFigures.LineVolume(channel: .fax, faxLine: "line-a", documents: 3, pages: 10),
            ReportFigures.LineVolume(channel: .fax, faxLine: "line-b", documents: 1, pages: 2),
            ReportFigures.LineVolume(channel: .mail, faxLine: nil, documents: 1, pages: 3),
        ])
        // File 1's pages count once on each route it has a request on.
        #expect(figures.byRoute == [
            ReportFigures.RouteVolume(route: "elective", documents: 3, pages: 13),
            ReportFigures.RouteVolume(route: "snf", documents: 1, pages: 10),
            ReportFigures.RouteVolume(route: "unrouted", documents: 1, pages: 2),
        ])

        let everything = try fixture.store.reportFigures(receivedFrom: nil, before: nil, now: fixture.clock.now(), nearHours: 24)
        #expect(everything.documents == 6 && everything.files == 4 && everything.pages == 20)
        #expect(everything.byLine.first == ReportFigures.LineVolume(channel: .fax, faxLine: "line-a", documents: 4, pages: 15))

        let empty = try fixture.store.reportFigures(
            receivedFrom: dayStart - 86_400, before: dayStart - 3600, now: fixture.clock.now(), nearHours: 24
        )
        #expect(empty == ReportFigures(
            documents: 0, files: 0, pages: 0, byLine: [], byRoute: [], failuresByStage: [], failuresByReason: [],
            fieldsNeedingReview: [], pastDue: [], nearDue: [], latency: nil
        ))
    }

    @Test("failures, fields needing review, due-by and latency", arguments: StoreKind.allCases)
    func failuresReviewDueAndLatency(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let (file1, file2) = try populate(fixture)
        let now = fixture.clock.now()
        // A worked item is no longer due, whatever its due-by.
        try fixture.store.setStatus(id: file1[2].id, .done, note: "approved")

        let figures = try fixture.store.reportFigures(receivedFrom: nil, before: nil, now: now, nearHours: 2)

        #expect(figures.failuresByStage == [
            ReportFigures.StageCount(stage: .decode, count: 1), ReportFigures.StageCount(stage: .extract, count: 1),
        ])
        #expect(figures.failuresByReason == [ReportFigures.Count(name: "form page not found", count: 2)])
        // member_id needs review in every sample item but file 3 (no fields); procedure_code in none.
        #expect(figures.fieldsNeedingReview == [ReportFigures.Count(name: "member_id", count: 5)])
        #expect(figures.pastDue == [file2.id])
        #expect(figures.nearDue == [file1[0].id, file1[1].id])
        #expect(try fixture.store.reportFigures(receivedFrom: nil, before: nil, now: now, nearHours: 0.5).nearDue == [])
        // A verified item's data is checked, but Utilization Management has yet to act: still due.
        try fixture.store.setStatus(id: file2.id, .verified, note: "verified by ann")
        #expect(try fixture.store.reportFigures(receivedFrom: nil, before: nil, now: now, nearHours: 2).pastDue == [file2.id])

        // Queued at `now`, received 600 s (file 1, three items) and 60 s (file 2) before; failed items never queued.
        // Sorted [60, 600, 600, 600]: p50 is index round(1.5) = 2, p95 index round(2.85) = 3.
        #expect(figures.latency == ReportFigures.Latency(p50: 600, p95: 600, max: 600))
        let day0 = try fixture.store.reportFigures(receivedFrom: now - 70, before: now, now: now, nearHours: 2)
        #expect(day0.latency == ReportFigures.Latency(p50: 60, p95: 60, max: 60))
    }
}
