import Foundation
import IntakePipeline
import IntakeQueue
import Testing

@Suite("Pipeline run") struct PipelineRunTests {
    @Test("faxes land on their line's queue, per the corpus truth; the spool is emptied and originals archived")
    func faxesRouteByLine() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let names = ["0000", "0006", "0003"]
        for n in names { try fixture.drop("\(n).tif", copyCorpusSidecar: true) }
        let store = InMemoryQueueStore()
        let counts = try fixture.runOnce(store: store)
        #expect(counts.queued == 3)
        #expect(fixture.spoolFiles().isEmpty)
        for n in names {
            let sha = SHA256Digest.hex(try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("\(n).tif"))))
            let item = try #require(try store.item(sha256: sha))
            #expect(item.route == (try Paths.expectedRoute(n)), "document \(n)")
            #expect(item.channel == .fax)
            #expect(!item.flags.contains(.unknownLine))
            #expect(FileManager.default.fileExists(atPath: item.archivePath))
            #expect(FileManager.default.fileExists(atPath: fixture.configuration.archive + "/\(sha.prefix(2))/\(sha).json"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: item.archivePath)) == Data(contentsOf: URL(fileURLWithPath: Paths.corpus("\(n).tif"))))
        }
    }

    @Test("a number not configured goes to unrouted with unknown_line")
    func unknownNumber() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0003.tif", sidecar: ["called_number": "1-555-010-9999", "received_at": "2026-11-20T08:07:00-05:00"])
        let store = InMemoryQueueStore()
        try fixture.runOnce(store: store)
        let item = try #require(try store.all().first)
        #expect(item.route == "unrouted")
        #expect(item.flags.contains(.unknownLine))
        #expect(item.faxLine == "1-555-010-9999")
    }

    @Test("an SNF form faxed to the elective number is flagged route_conflict and stays on the line")
    func conflictGoesByLine() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0012.tif", sidecar: ["called_number": "1-555-010-4001", "received_at": "2026-11-20T09:00:00-05:00"])
        let store = InMemoryQueueStore()
        try fixture.runOnce(store: store)
        let item = try #require(try store.all().first)
        #expect(item.checkboxes["request_type"]?.selected == ["snf"])
        #expect(item.flags.contains(.routeConflict))
        #expect(item.route == "elective")
    }

    @Test("mail-room scans route by request type; received_at falls back to the file's mtime")
    func mailRoutesByRequestType() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0016.pdf", into: "mail")
        let store = InMemoryQueueStore()
        try fixture.runOnce(store: store)
        let item = try #require(try store.all().first)
        #expect(item.channel == .mail)
        #expect(item.route == (try Paths.expectedRoute("0016")))
        #expect(abs(item.receivedAt.timeIntervalSinceNow) < 600)
        #expect(item.duplicateKey != nil)
        #expect(item.dueBy == item.receivedAt + (item.priority == .urgent ? 72 : 7 * 24) * 3600)
    }

    @Test("the same bytes twice make one item; a re-sent fax with other bytes is flagged possible_duplicate")
    func duplicates() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0003.tif", as: "first.tif", copyCorpusSidecar: true)
        try fixture.drop("0003.tif", as: "again.tif", copyCorpusSidecar: true)
        let store = InMemoryQueueStore()
        let counts = try fixture.runOnce(store: store)
        #expect(try store.all().count == 1)
        #expect(counts.queued + counts.alreadyPresent == 2)
        #expect(fixture.spoolFiles().isEmpty)

        // A re-send: the same image with a byte appended past the last IFD changes the hash, not the pages.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0003.tif")))
        bytes.append(0)
        try bytes.write(to: URL(fileURLWithPath: fixture.spool + "/fax/resent.tif"))
        try FileManager.default.copyItem(atPath: Paths.corpus("0003.json"), toPath: fixture.spool + "/fax/resent.json")
        try fixture.runOnce(store: store)
        let items = try store.all().sorted { $0.id < $1.id }
        #expect(items.count == 2)
        let first = try #require(items.first), second = try #require(items.last)
        #expect(first.duplicateKey != nil)
        #expect(second.flags.contains(.possibleDuplicate))
        #expect(second.duplicateOf == first.id)
    }
}
