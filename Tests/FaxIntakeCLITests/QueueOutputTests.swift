import Foundation
import IntakeQueue
import Testing
@testable import FaxIntakeCLI

/// `queue list --json` and `queue show --json` are read by scripts: their keys are a contract.
@Suite struct QueueOutputTests {
    /// A file with two requests (forms on pages 1 and 3) and a file whose decoding failed.
    func populatedStore() throws -> (store: InMemoryQueueStore, first: QueueItem, second: QueueItem, failed: QueueItem) {
        let store = InMemoryQueueStore(now: { Date(timeIntervalSince1970: 1_800_000_000) })
        let sha = String(repeating: "ab", count: 32)
        func request(formPage: Int, pages: PageRange) -> NewItem {
            NewItem(
                sha256: sha, receivedAt: Date(timeIntervalSince1970: 1_799_999_000), channel: .fax,
                faxLine: "5550104001", sourceFileName: "fax-7.tif", archivePath: "/archive/ab/\(sha).tif",
                pageCount: 5, pageRange: pages,
                content: ItemContent(
                    route: "elective", priority: .standard, formPage: formPage, formID: "MPA-01",
                    fields: ["member_id": StoredField(value: "W1", normalized: "W1", confidence: 0.5, valid: true, needsReview: true)],
                    flags: [.routeConflict]
                )
            )
        }
        let outcomes = try store.insert([
            request(formPage: 1, pages: PageRange(first: 1, last: 2)),
            request(formPage: 3, pages: PageRange(first: 3, last: 5)),
        ])
        let failed = try store.insert(NewItem(
            sha256: String(repeating: "cd", count: 32), receivedAt: Date(timeIntervalSince1970: 1_799_999_500),
            channel: .mail, sourceFileName: "scan.pdf", archivePath: "/archive/cd/x.pdf", pageCount: 0,
            content: ItemContent(route: "unrouted", priority: .standard), status: .failed,
            failure: FailureRecord(stage: .decode, reason: "encrypted", attempts: 1,
                                   lastAttemptAt: Date(timeIntervalSince1970: 1_799_999_600), permanent: true)
        )).item
        return (store, outcomes[0].item, outcomes[1].item, failed)
    }

    func object(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func showJSONKeepsItsKeysAndAddsPageRangeAndSiblings() throws {
        let (store, first, second, failed) = try populatedStore()

        let shown = try object(JSONOutput.pretty(ItemDetail(item: first, siblings: try store.siblings(of: first.id))))
        #expect(Set(shown.keys) == [
            "id", "route", "priority", "status", "received_at", "queued_at", "channel", "fax_line", "source_file_name",
            "sha256", "archive_path", "page_count", "page_range", "form_page", "form_id", "fields", "checkboxes",
            "flags", "history", "siblings",
        ])
        #expect(shown["page_range"] as? [Int] == [1, 2])
        #expect(shown["siblings"] as? [Int] == [Int(second.id.rawValue)])
        #expect(shown["flags"] as? [String] == ["route_conflict"])
        #expect(shown["received_at"] as? String == "2027-01-15T07:43:20Z")
        let field = try #require((shown["fields"] as? [String: Any])?["member_id"] as? [String: Any])
        #expect(field["needs_review"] as? Bool == true)

        let lone = try object(JSONOutput.pretty(ItemDetail(item: failed, siblings: try store.siblings(of: failed.id))))
        #expect(lone["siblings"] as? [Int] == [])
        #expect(lone["page_range"] == nil)
        let failure = try #require(lone["failure"] as? [String: Any])
        #expect(failure["stage"] as? String == "decode")
        #expect(failure["last_attempt_at"] as? String == "2027-01-15T07:53:20Z")
    }

    @Test func listRowsCarrySourceFormPageAndPageRangeEveryTime() throws {
        let (store, _, second, failed) = try populatedStore()
        let json = JSONOutput.pretty(try store.all().map(ItemSummary.init))
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(rows.count == 3)
        for row in rows {
            #expect(row.keys.contains("source_file_name") && row.keys.contains("form_page") && row.keys.contains("page_range"))
        }
        let secondRow = try #require(rows.first { $0["id"] as? Int == Int(second.id.rawValue) })
        #expect(secondRow["form_page"] as? Int == 3)
        #expect(secondRow["page_range"] as? [Int] == [3, 5])
        #expect(secondRow["source_file_name"] as? String == "fax-7.tif")
        let failedRow = try #require(rows.first { $0["id"] as? Int == Int(failed.id.rawValue) })
        #expect(failedRow["form_page"] is NSNull && failedRow["page_range"] is NSNull)
        #expect(failedRow["failed_stage"] as? String == "decode")

        let line = ItemSummary(second).line(siblings: [ItemID(1)])
        #expect(line.contains("pages 3-5") && line.contains("same file as #1"))
    }

    @Test func unknownStageIsAUsageError() {
        for arguments in [["failed", "list", "--stage", "ocr"], ["reprocess", "--failed", "--stage", "ocr"]] {
            do {
                var command = try FaxIntakeCommand.parseAsRoot(arguments)
                try command.run()
                Issue.record("\(arguments) ran")
            } catch {
                #expect(FaxIntakeCommand.exitCode(for: error).rawValue == 64, "\(arguments)")
            }
        }
    }
}
