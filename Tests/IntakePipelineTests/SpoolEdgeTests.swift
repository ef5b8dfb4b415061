import Foundation
import IntakePipeline
import IntakeQueue
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Partial and odd files in the spool, each getting what a fax administrator would expect.
@Suite("Spool: partial and odd files") struct SpoolEdgeTests {
    /// A pipeline whose readiness runs on a manual clock, so "the settle interval has passed" is a step, not a wait.
    struct Stepped {
        let pipeline: StagedPipeline
        let intake: SpoolIntake
        let clock: ManualClock
        init(_ fixture: PipelineFixture, store: any QueueStore, settle: Double) throws {
            clock = ManualClock(Date())
            pipeline = try fixture.makePipeline(store: store)
            intake = SpoolIntake(pipeline: pipeline, readiness: Readiness(settleSeconds: settle, clock: clock))
        }
        @discardableResult
        func pass() -> SpoolIntake.PassResult {
            let result = intake.pass()
            pipeline.waitUntilIdle()
            return result
        }
    }

    @Test("a fax written slowly in chunks, with no sidecar, is taken once, whole, after it goes quiet")
    func slowWriter() throws {
        let fixture = try PipelineFixture(settleSeconds: 1.5)
        defer { fixture.remove() }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0003.tif")))
        let path = fixture.spool + "/fax/slow.tif"
        let chunk = bytes.count / 12 + 1
        try bytes.prefix(chunk).write(to: URL(fileURLWithPath: path))
        // The writer pauses well under the settle interval between chunks, as a fax line does.
        let writer = Thread {
            let handle = FileHandle(forWritingAtPath: path)!
            handle.seekToEndOfFile()
            var offset = chunk
            while offset < bytes.count {
                Thread.sleep(forTimeInterval: 0.2)
                handle.write(bytes.subdata(in: offset..<min(offset + chunk, bytes.count)))
                offset += chunk
            }
            try? handle.close()
        }
        writer.start()
        let store = InMemoryQueueStore()
        let counts = try fixture.runOnce(store: store)
        #expect(counts.taken == 1)
        let items = try store.all()
        #expect(items.count == 1)
        // The hash is of the whole fax: it was not taken half-written.
        #expect(items.first?.sha256 == SHA256Digest.hex(bytes))
        #expect(items.first?.status == .queued)
        #expect(fixture.spoolFiles().isEmpty)
    }

    @Test("a fax cut off mid-write and never finished is taken after the settle interval and fails clearly")
    func cutOffNeverFinished() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let cut = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0018.tif"))).prefix(3000)
        try cut.write(to: URL(fileURLWithPath: fixture.spool + "/fax/cut.tif"))
        let store = InMemoryQueueStore()
        let stepped = try Stepped(fixture, store: store, settle: 30)
        #expect(stepped.pass().waiting == 1)
        #expect(try store.all().isEmpty, "taken before it settled")
        stepped.clock.advance(by: 31)
        #expect(stepped.pass().submitted == 1)
        let item = try #require(try store.all().first)
        #expect(item.status == .failed)
        #expect(item.failure?.stage == .decode)
        #expect(item.failure?.permanent == true)
        #expect(item.failure?.reason.contains("damaged") == true, "\(item.failure?.reason ?? "")")
        #expect(fixture.spoolFiles().isEmpty)
    }

    @Test("a sidecar that arrives after its document, before it settles, routes it")
    func lateSidecar() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0012.tif")
        let store = InMemoryQueueStore()
        let stepped = try Stepped(fixture, store: store, settle: 60)
        #expect(stepped.pass().waiting == 1)
        try JSONSerialization.data(withJSONObject: ["called_number": "1-555-010-4003", "received_at": "2026-11-20T09:00:00-05:00"])
            .write(to: URL(fileURLWithPath: fixture.spool + "/fax/0012.json"))
        #expect(stepped.pass().submitted == 1)
        let item = try #require(try store.all().first)
        #expect(item.route == "snf")
        #expect(item.faxLine == "1-555-010-4003")
        #expect(fixture.spoolFiles().isEmpty, "the sidecar goes with its document")
    }

    @Test("a sidecar that never arrives delays the fax by the settle interval, not for ever")
    func sidecarNeverArrives() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0012.tif")
        let store = InMemoryQueueStore()
        let stepped = try Stepped(fixture, store: store, settle: 60)
        #expect(stepped.pass().waiting == 1)
        stepped.clock.advance(by: 30)
        #expect(stepped.pass().waiting == 1)
        stepped.clock.advance(by: 31)
        #expect(stepped.pass().submitted == 1)
        let item = try #require(try store.all().first)
        #expect(item.status == .queued)
        #expect(fixture.spoolFiles().isEmpty)
    }

    @Test("a zero-byte file becomes a failed item that says it is empty")
    func zeroBytes() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        _ = FileManager.default.createFile(atPath: fixture.spool + "/fax/empty.tif", contents: Data())
        _ = FileManager.default.createFile(atPath: fixture.spool + "/fax/empty.done", contents: Data())
        let store = InMemoryQueueStore()
        try fixture.runOnce(store: store)
        let item = try #require(try store.all().first)
        #expect(item.status == .failed)
        #expect(item.failure?.reason.contains("empty (0 bytes)") == true)
        #expect(item.failure?.permanent == true)
        #expect(fixture.spoolFiles().isEmpty)
    }

    @Test("names with spaces and Unicode are taken with their sidecars; an undecodable name is refused, not dropped")
    func oddNames() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0012.tif", as: "Dr Müller fax 1.tif", sidecar: ["called_number": "1-555-010-4003"])
        try fixture.drop("0003.tif", as: "ファクス 受信 №2.tif", sidecar: ["called_number": "1-555-010-4001"])
        // Bytes that are not UTF-8: no String can name this file, so it cannot be taken; it must be reported.
        let raw = Array((fixture.spool + "/fax/bad").utf8) + [0xFF, 0xFE] + Array(".tif".utf8) + [0]
        let fd = raw.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o600) }
        }
        #expect(fd >= 0)
        close(fd)
        let store = InMemoryQueueStore()
        let intake = SpoolIntake(pipeline: try fixture.makePipeline(store: store),
                                 readiness: Readiness(settleSeconds: 0, clock: SystemClock()))
        let result = intake.pass()
        intake.pipeline.waitUntilIdle()
        #expect(result.refused == 1)
        let items = try store.all()
        #expect(Set(items.map(\.sourceFileName)) == ["Dr Müller fax 1.tif", "ファクス 受信 №2.tif"])
        #expect(Set(items.map(\.route)) == ["snf", "elective"])
        #expect(fixture.spoolFiles().isEmpty, "left: \(fixture.spoolFiles())")
        // Refused, so still where the fax server put it, for a person to rename.
        #expect(raw.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { access($0.baseAddress!, F_OK) } } == 0)
    }
}
