import Foundation
import IntakePipeline
import IntakeQueue
import Testing

/// The sender's header line (TTI) at the top of a received fax, read into the item.
@Suite("Fax header line") struct FaxHeaderTests {
    static func t30(_ name: String) -> String {
        Paths.shared.appendingPathComponent("corpus-t30-dev/\(name)").path
    }

    @Test("a fax with a header line and no caller in its sidecar: the header's number is the caller")
    func headerGivesTheCaller() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        // spandsp's header on 0001: date, time, the sender's name and number, page.
        try FileManager.default.copyItem(atPath: Self.t30("0001.tif"), toPath: fixture.spool + "/fax/0001.tif")
        try JSONSerialization.data(withJSONObject: ["called_number": "1-555-010-4002"])
            .write(to: URL(fileURLWithPath: fixture.spool + "/fax/0001.json"))
        let store = SQLiteQueueStore.inMemory()
        try fixture.runOnce(store: store)
        let item = try #require(try store.all().first)
        let header = try #require(item.header)
        #expect(header.text.contains("Grandview Medical Center"))
        #expect(header.faxNumber == "7778257151")
        #expect(item.caller == "7778257151")
    }

    @Test("a page without a header line (the form at the top) gives none")
    func noHeaderNoGuess() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0002.tif", copyCorpusSidecar: true)
        let store = SQLiteQueueStore.inMemory()
        try fixture.runOnce(store: store)
        let item = try #require(try store.all().first)
        #expect(item.header == nil)
        #expect(item.caller != nil)  // the sidecar's
    }
}
