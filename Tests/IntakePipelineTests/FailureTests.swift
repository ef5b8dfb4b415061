import Foundation
import IntakePipeline
import IntakeQueue
import Testing

/// Counts calls across threads for a fault injector.
final class FaultSwitch: @unchecked Sendable {
    // @unchecked Sendable: `failing` and `calls` are only touched under `lock`.
    private let lock = NSLock()
    private var failing = true
    private var calls = 0
    func set(failing value: Bool) { lock.withLock { failing = value } }
    var callCount: Int { lock.withLock { calls } }
    func check(_ stage: PipelineStage) throws(StageFailure) {
        guard stage == .extract else { return }
        let fail = lock.withLock { () -> Bool in calls += 1; return failing }
        if fail { throw StageFailure(stage: .extract, reason: "OCR engine unavailable (injected)", permanent: false) }
    }
}

@Suite("Failures") struct FailureTests {
    @Test("bad input becomes a permanent failed item at decode; original archived, spool empty, no retry")
    func badInput() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try FileManager.default.copyItem(atPath: Paths.shared.appendingPathComponent("realdata/malformed/pdfjs_pwprotected_issue6010_1.pdf").path,
                                         toPath: fixture.spool + "/mail/locked.pdf")
        let truncated = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0003.tif"))).prefix(2000)
        try truncated.write(to: URL(fileURLWithPath: fixture.spool + "/fax/truncated.tif"))
        let store = InMemoryQueueStore()
        let counts = try fixture.runOnce(store: store)
        #expect(counts.failed == 2)
        #expect(counts.retried == 0)
        #expect(fixture.spoolFiles().isEmpty)
        for item in try store.all() {
            #expect(item.status == .failed)
            #expect(item.failure?.stage == .decode)
            #expect(item.failure?.permanent == true)
            let reason = item.failure?.reason ?? ""
            #expect(reason.count > 10)
            #expect(FileManager.default.fileExists(atPath: item.archivePath))
        }
    }

    @Test("a fax refused at decode under a stricter page limit is requeued, with its page count, once the limit is raised")
    func pageLimitThenReprocess() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0009.tif", copyCorpusSidecar: true)  // 3 pages, the form on page 1
        let store = try SQLiteQueueStore(path: fixture.configuration.state + "/queue.sqlite")
        var strict = fixture.configuration
        strict.limits.maxPagesPerFile = 2
        let pipeline = StagedPipeline(configuration: strict, resources: try fixture.resources(), store: store)
        _ = SpoolIntake(pipeline: pipeline, readiness: Readiness(settleSeconds: 0, clock: SystemClock())).runOnce(maxWait: 10)
        let failed = try #require(try store.all().first)
        #expect(failed.status == .failed)
        #expect(failed.failure?.stage == .decode)
        #expect(failed.pageCount == 0)

        // The operator raises the limit (the fixture's own configuration) and reprocesses.
        let reprocessor = Reprocessor(configuration: fixture.configuration, resources: try fixture.resources(), store: store)
        let outcome = try reprocessor.reprocess(failed.id, extractor: try fixture.resources().makeExtractor())
        #expect(outcome == .requeued(failed.id, route: "elective", siblings: []))
        let item = try #require(try store.item(id: failed.id))
        #expect(item.status == .queued)
        #expect(item.pageCount == 3)
        #expect(item.pageRange == PageRange(first: 1, last: 3))
        #expect(item.content.formPage == 1)
    }

    @Test("a transient failure retries, then fails (not permanent); reprocess queues it under the same id")
    func transientThenReprocess() throws {
        let fixture = try PipelineFixture(retryAttempts: 2)
        defer { fixture.remove() }
        try fixture.drop("0003.tif", copyCorpusSidecar: true)
        let faults = FaultSwitch()
        let store = try SQLiteQueueStore(path: fixture.configuration.state + "/queue.sqlite")
        let counts = try fixture.runOnce(store: store, faults: { stage, _ throws(StageFailure) in try faults.check(stage) })
        #expect(counts.retried == 1)
        #expect(faults.callCount == 2)
        let failed = try #require(try store.all().first)
        #expect(failed.status == .failed)
        #expect(failed.failure?.stage == .extract)
        #expect(failed.failure?.permanent == false)
        #expect(failed.failure?.attempts == 2)
        #expect(fixture.spoolFiles().isEmpty)

        let reprocessor = Reprocessor(configuration: fixture.configuration, resources: try fixture.resources(), store: store,
                                      faults: { stage, _ throws(StageFailure) in try faults.check(stage) })
        #expect(try reprocessor.candidates(since: nil, stage: .extract).map(\.id) == [failed.id])
        let extractor = try fixture.resources().makeExtractor()
        guard case .failedAgain(_, _, _, let attempts) = try reprocessor.reprocess(failed.id, extractor: extractor) else {
            Issue.record("expected the injected fault to fail the reprocess")
            return
        }
        #expect(attempts == 3)
        faults.set(failing: false)
        #expect(try reprocessor.reprocess(failed.id, extractor: extractor) == .requeued(failed.id, route: "elective", siblings: []))
        // Idempotent: a second reprocess of a queued item changes nothing.
        #expect(try reprocessor.reprocess(failed.id, extractor: extractor) == .unchanged(failed.id, status: .queued))
        let item = try #require(try store.item(id: failed.id))
        #expect(item.status == .queued)
        #expect(item.route == "elective")
        #expect(item.history.count == failed.history.count + 2)
        #expect(try store.integrityCheck())
    }
}
