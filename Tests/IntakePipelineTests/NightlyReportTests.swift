import Foundation
import IntakeQueue
import Testing

@testable import IntakePipeline

/// The report names lines and orders rows; the numbers come from the store (IntakeQueueTests cover those).
@Suite("Nightly report")
struct NightlyReportTests {
    @Test("fax numbers become line names; spellings of one number and unconfigured numbers merge")
    func lineNames() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let figures = ReportFigures(
            documents: 9, files: 7, pages: 30,
            byLine: [
                .init(channel: .fax, faxLine: nil, documents: 1, pages: 2),
                .init(channel: .fax, faxLine: "1-555-010-4001", documents: 3, pages: 10),
                .init(channel: .fax, faxLine: "1 555 010 4001", documents: 1, pages: 4),
                .init(channel: .fax, faxLine: "5550109998", documents: 1, pages: 3),
                .init(channel: .fax, faxLine: "5550109999", documents: 1, pages: 1),
                .init(channel: .mail, faxLine: nil, documents: 2, pages: 10),
            ],
            byRoute: [.init(route: "snf", documents: 2, pages: 5), .init(route: "elective", documents: 7, pages: 25)],
            failuresByStage: [.init(stage: .extract, count: 1), .init(stage: .decode, count: 2)],
            failuresByReason: [.init(name: "b", count: 1), .init(name: "a", count: 1)],
            fieldsNeedingReview: [.init(name: "member_id", count: 4)],
            pastDue: [ItemID(3)], nearDue: [], latency: .init(p50: 30, p95: 90, max: 120)
        )
        let now = Date(timeIntervalSince1970: 1_800_000_000)

        let report = NightlyReport.build(figures: figures, period: "all", configuration: fixture.configuration, now: now)

        #expect(report.byLine.map(\.name) == ["elective", "fax: no number", "fax: unconfigured number", "mail"])
        #expect(report.byLine[0].documents == 4 && report.byLine[0].pages == 14)
        #expect(report.byLine[2].documents == 2 && report.byLine[2].pages == 4)
        #expect(report.byRoute.map(\.name) == ["elective", "snf"])
        #expect(report.failuresByStage.map(\.name) == ["decode", "extract"])
        #expect(report.failuresByReason.map(\.name) == ["a", "b"])
        #expect(report.documents == 9 && report.pages == 30)
        #expect(report.pastDue == [ItemID(3)])
        #expect(report.latencySeconds == NightlyReport.Latency(p50: 30, p95: 90, max: 120))
        #expect(report.text().contains("elective                     4 documents, 14 pages"))
    }

    @Test("a day's report asks the store for that local day only")
    func dayReport() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let store = InMemoryQueueStore()
        let calendar = Calendar.current
        let day = calendar.startOfDay(for: Date(timeIntervalSince1970: 1_800_000_000))
        func file(_ n: Int, receivedAt: Date) -> NewItem {
            NewItem(
                sha256: String(repeating: "0", count: 63) + String(n), receivedAt: receivedAt, channel: .fax,
                faxLine: "1-555-010-4003", sourceFileName: "f\(n).tif", archivePath: "/a/\(n)", pageCount: 4,
                content: ItemContent(route: "snf", priority: .standard)
            )
        }
        try store.insert(file(1, receivedAt: day + 60))
        try store.insert(file(2, receivedAt: day - 60))
        try store.insert(file(3, receivedAt: day + 86_400))

        let report = try NightlyReport.build(store: store, day: day + 3600, configuration: fixture.configuration, now: day + 7200)
        let all = try NightlyReport.build(store: store, day: nil, configuration: fixture.configuration, now: day + 7200)

        #expect(report.documents == 1 && report.pages == 4)
        #expect(report.byLine.map(\.name) == ["snf"])
        #expect(all.period == "all" && all.documents == 3 && all.pages == 12)
    }
}
