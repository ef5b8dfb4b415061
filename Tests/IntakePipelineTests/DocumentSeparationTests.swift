import FaxImaging
import Foundation
import IntakePipeline
import IntakeQueue
import Testing

/// Faxes built from corpus faxes the way a provider's office batches them: `tiffcp` joins transmissions.
enum JoinedFax {
    /// Joins whole corpus faxes (or chosen 0-based pages of them, `"0002.tif,0"`) into one multi-page TIFF.
    static func make(_ parts: [String], at path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tiffcp")
        process.arguments = parts.map { part in
            let pieces = part.split(separator: ",", maxSplits: 1)
            return Paths.corpus(String(pieces[0])) + (pieces.count > 1 ? "," + pieces[1] : "")
        } + [path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// The member ID the corpus truth gives for a document.
    static func memberID(_ number: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("\(number).truth.json")))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return ((object?["fields"] as? [String: Any])?["member_id"] as? String) ?? ""
    }
}

@Suite("One document processor: requests, streaming, bytes, start-up", .serialized) struct DocumentSeparationTests {
    /// 0004 (5 pages, form on 2), 0009 (3 pages, form on 1), 0013 (5 pages, form on 2): forms on pages 2, 6 and 10.
    static let three = ["0004.tif", "0009.tif", "0013.tif"]

    @Test("a fax of three forms gives three items, each its member's, with page ranges and siblings")
    func threeFormsThreeItems() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let path = fixture.spool + "/fax/batch.tif"
        try JoinedFax.make(Self.three, at: path)
        try JSONSerialization.data(withJSONObject: ["called_number": "1-555-010-4001"])
            .write(to: URL(fileURLWithPath: fixture.spool + "/fax/batch.json"))
        let sha = try fileSHA256(path)
        let store = try SQLiteQueueStore(path: fixture.configuration.state + "/queue.sqlite")
        let counts = try fixture.runOnce(store: store)
        #expect(counts.queued == 1)
        #expect(counts.requests == 3)
        #expect(fixture.spoolFiles().isEmpty)
        let items = try store.items(sha256: sha)
        #expect(items.count == 3)
        #expect(items.map(\.formPage) == [2, 6, 10])
        #expect(items.map(\.pageRange) == [PageRange(first: 1, last: 5), PageRange(first: 6, last: 9), PageRange(first: 10, last: 13)])
        #expect(items.map(\.fields["member_id"]?.normalized) == (try ["0004", "0009", "0013"].map(JoinedFax.memberID)))
        #expect(items.allSatisfy { $0.pageCount == 13 && $0.status == .queued && $0.route == "elective" })
        // One original, archived once, shared by the three requests.
        #expect(Set(items.map(\.archivePath)).count == 1)
        for item in items {
            #expect(Set(try store.siblings(of: item.id)) == Set(items.map(\.id)).subtracting([item.id]))
        }
        // The same bytes again: nothing new.
        try FileManager.default.copyItem(atPath: items[0].archivePath, toPath: fixture.spool + "/fax/again.tif")
        let again = try fixture.runOnce(store: store)
        #expect(again.alreadyPresent == 1)
        #expect(try store.all().count == 3)
    }

    @Test("forms back to back, a cover before and notes after: each request's pages; only forms kept whole")
    func pageRangesOfBackToBackForms() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let path = fixture.root + "/batch.tif"
        // A cover sheet, two one-page forms, then two pages of notes.
        try JoinedFax.make(["0002.tif,0", "0003.tif", "0012.tif", "0004.tif,0", "0004.tif,2"], at: path)
        let processor = DocumentProcessor(configuration: fixture.configuration, resources: try fixture.resources(),
                                          store: SQLiteQueueStore.inMemory())
        let record = IntakeRecord(fileName: "batch.tif", channel: .fax, bytes: try Data(contentsOf: URL(fileURLWithPath: path)))
        let pages = try processor.pages(record)
        #expect(pages.pageCount == 5)
        #expect(pages.formPages.map(\.index) == [1, 2])
        #expect(pages.formPages.allSatisfy { $0.page.isBilevel })
        #expect(pages.thumbnails.map(\.index) == [0, 3, 4])
        #expect(pages.thumbnails.allSatisfy { $0.image.width <= fixture.configuration.thumbnailWidth })
        let document = try processor.requests(pages, extractor: try fixture.resources().makeExtractor())
        #expect(document.requests.map(\.formPage) == [2, 3])
        #expect(document.requests.map(\.pageRange) == [PageRange(first: 1, last: 2), PageRange(first: 3, last: 5)])
        #expect(document.requests.map { $0.content.fields["member_id"]?.normalized } == (try ["0003", "0012"].map(JoinedFax.memberID)))
    }

    @Test("kill -9 at the commit of a two-form fax, run again: both requests exactly once")
    func killAtCommitOfTwoRequests() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        guard let daemon = try DaemonProcess(fixture: fixture) else { return }
        let path = fixture.spool + "/fax/two.tif"
        try JoinedFax.make(["0002.tif", "0012.tif"], at: path)
        let sha = try fileSHA256(path)
        // After the archive copy, before the insert of the document's requests.
        let killed = try daemon.runOnce(environment: ["FAXINTAKE_TEST_KILL_AT": "commit:1"])
        #expect(killed.killed, "the crash point was not reached: \(killed.stderr.suffix(1000))")
        #expect(fixture.spoolFiles() == ["fax/two.tif"])
        let rerun = try daemon.runOnce()
        #expect(rerun.status == 0, "\(rerun.stderr.suffix(1000))")
        #expect(fixture.spoolFiles().isEmpty)
        let store = try SQLiteQueueStore(path: daemon.database)
        let items = try store.all()
        #expect(items.count == 2)
        #expect(items.allSatisfy { $0.sha256 == sha && $0.status == .queued })
        #expect(Set(items.compactMap(\.formPage)) == [2, 3])
        #expect(try store.integrityCheck())
    }

    @Test("a 300-page fax with one form page: one item, 300 pages, in bounded memory")
    func longFaxInBoundedMemory() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        guard let daemon = try DaemonProcess(fixture: fixture) else { return }
        let path = fixture.spool + "/fax/long.tif"
        // 0002: cover sheet (page 0) then the form (page 1); 299 cover pages after the form as "clinical notes".
        try JoinedFax.make(["0002.tif"] + Array(repeating: "0002.tif,0", count: 298), at: path)
        var peakKB = 0
        let outcome = try daemon.runOnce(wrapper: BadInputPipelineTests.memoryCap, hangLimit: 600) { pid in
            // VmHWM is the process's own peak resident set: sampled until it exits.
            if let kb = DaemonProcess.peakResidentKB(pid) { peakKB = max(peakKB, kb) }
            return false
        }
        #expect(outcome.status == 0, "\(outcome.stderr.suffix(1000))")
        let items = try SQLiteQueueStore(path: daemon.database).all()
        #expect(items.count == 1)
        #expect(items.first?.status == .queued)
        #expect(items.first?.pageCount == 300)
        #expect(items.first?.formPage == 2)
        #expect(items.first?.pageRange == PageRange(first: 1, last: 300))
        // Held whole as 8-bit gray, these pages alone are 1.1 GB; streamed, the process stays near its
        // size with one page. A loose bound: it tells streaming from holding, not one machine from another.
        #expect(peakKB > 0 && peakKB < 600 * 1024, "peak RSS \(peakKB / 1024) MB")
        print("300-page fax: peak RSS \(peakKB / 1024) MB")
    }

    @Test("a spooled file replaced after it was hashed: the item is what was hashed and archived")
    func replacedAfterHashing() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let path = try fixture.drop("0003.tif")
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let other = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0012.tif")))
        let store = try SQLiteQueueStore(path: fixture.configuration.state + "/queue.sqlite")
        try fixture.runOnce(store: store, faults: { stage, _ throws(StageFailure) in
            // Between hashing and decoding: someone swaps the file's content.
            if stage == .decode { try? other.write(to: URL(fileURLWithPath: path)) }
        })
        let items = try store.all()
        #expect(items.count == 1)
        let item = try #require(items.first)
        #expect(item.sha256 == SHA256Digest.hex(original))
        #expect(try Data(contentsOf: URL(fileURLWithPath: item.archivePath)) == original)
        #expect(item.fields["member_id"]?.normalized == (try JoinedFax.memberID("0003")))
    }

    @Test("a missing template, word list or model exits 78 and takes nothing", arguments: [
        ("form.template", "form: {template: /nonexistent/forms/mpa}"),
        ("extraction.word_list", "extraction: {word_list: /nonexistent/words.txt}"),
        ("extraction.second_opinion_tessdata", "extraction: {second_opinion_tessdata: /nonexistent/tessdata}"),
        ("reference.members", "reference: {members: /nonexistent/members.csv}"),
        ("reference.icd10cm", "reference: {icd10cm: /nonexistent/icd10cm}"),
    ])
    func misconfigurationTakesNothing(key: String, yaml: String) throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        guard let daemon = try DaemonProcess(fixture: fixture, extraYAML: yaml) else { return }
        try fixture.drop("0003.tif", copyCorpusSidecar: true)
        let before = fixture.spoolFiles().sorted()
        for command in [["run", "--once"], ["reprocess", "--failed"], ["extract", Paths.corpus("0003.tif")]] {
            let outcome = try daemon.run(command)
            #expect(outcome.status == 78, "\(command[0]): exit \(outcome.status)")
            #expect(outcome.stderr.contains(key), "\(command[0]): \(outcome.stderr)")
            #expect(outcome.stderr.contains("/nonexistent/"), "\(command[0]): \(outcome.stderr)")
        }
        #expect(fixture.spoolFiles().sorted() == before)
        #expect(!FileManager.default.fileExists(atPath: daemon.database), "a database was created")
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/archive"), "something was archived")
    }

    @Test("reprocess and run give identical items for the same file")
    func reprocessMatchesRun() throws {
        let fixture = try PipelineFixture(retryAttempts: 1)
        defer { fixture.remove() }
        let path = fixture.spool + "/fax/two.tif"
        try JoinedFax.make(["0002.tif", "0012.tif"], at: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let sidecar = try JSONSerialization.data(withJSONObject: ["called_number": "5550104003", "received_at": "2026-11-30T09:15:00Z"])
        let sidecarURL = URL(fileURLWithPath: fixture.spool + "/fax/two.json")
        try sidecar.write(to: sidecarURL)
        let ran = SQLiteQueueStore.inMemory()
        try fixture.runOnce(store: ran)

        // The same file failing at extract first, then reprocessed once the cause is gone.
        try bytes.write(to: URL(fileURLWithPath: path))
        try sidecar.write(to: sidecarURL)
        let reprocessed = SQLiteQueueStore.inMemory()
        try fixture.runOnce(store: reprocessed, faults: { stage, _ throws(StageFailure) in
            if stage == .extract { throw StageFailure(stage: .extract, reason: "the OCR engine is out to lunch", permanent: false) }
        })
        let failed = try #require(try reprocessed.all().first)
        #expect(failed.status == .failed)
        let reprocessor = Reprocessor(configuration: fixture.configuration, resources: try fixture.resources(), store: reprocessed)
        let outcome = try reprocessor.reprocess(failed.id, extractor: try fixture.resources().makeExtractor())
        guard case .requeued(_, _, let siblings) = outcome else {
            Issue.record("not requeued: \(outcome)")
            return
        }
        #expect(siblings.count == 1)
        let a = try ran.all().sorted { ($0.formPage ?? 0) < ($1.formPage ?? 0) }
        let b = try reprocessed.all().sorted { ($0.formPage ?? 0) < ($1.formPage ?? 0) }
        #expect(a.count == 2 && b.count == 2)
        for (x, y) in zip(a, b) {
            #expect(x.content == y.content)
            #expect(x.pageRange == y.pageRange)
            #expect(x.faxLine == y.faxLine && x.pageCount == y.pageCount && x.sha256 == y.sha256)
            #expect(x.route == "snf" && x.receivedAt == y.receivedAt)
        }
    }

    @Test("a fillable PDF is one request covering all its pages; a fax without a form is one item")
    func oneRequestDocuments() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0016.pdf", into: "mail")
        let notes = fixture.spool + "/fax/notes.tif"
        try JoinedFax.make(["0002.tif,0", "0004.tif,0"], at: notes)
        let store = SQLiteQueueStore.inMemory()
        try fixture.runOnce(store: store)
        let items = try store.all()
        #expect(items.count == 2)
        let pdf = try #require(items.first { $0.sourceFileName == "0016.pdf" })
        #expect(pdf.formPage == 1)
        #expect(pdf.pageRange == PageRange(first: 1, last: pdf.pageCount))
        let fax = try #require(items.first { $0.sourceFileName == "notes.tif" })
        #expect(fax.formPage == nil)
        #expect(fax.flags.contains(.noForm))
        #expect(fax.pageRange == PageRange(first: 1, last: 2))
    }
}
