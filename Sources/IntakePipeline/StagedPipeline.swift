import Dispatch
import FaxImaging
import FormExtraction
import Foundation
import IntakeQueue
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Running totals of one pipeline run, for the progress line and the final summary (no PHI).
public struct RunCounts: Sendable, Codable, Equatable {
    /// Documents taken from the spool.
    public var taken = 0
    /// Documents committed (each with one or more request items).
    public var queued = 0
    /// Request items those documents became: several when a fax carries several forms.
    public var requests = 0
    public var failed = 0
    /// Spool files whose bytes were already in the queue: removed from the spool, no new item.
    public var alreadyPresent = 0
    public var retried = 0
    public var possibleDuplicates = 0
    public var pages = 0
    /// Documents that could not even be stored as failed items (unreadable bytes, store down); left in the spool.
    public var leftInSpool = 0
    public var inFlight = 0

    public init() {}
}

/// Decode → extract → validate → route → commit, each stage a bounded pool of Dispatch workers.
///
/// The scheduler owns the pools, the back-pressure and a retry policy per stage; the work of each stage
/// is `DocumentProcessor`'s. A transient failure retries the stage that failed with the value it was
/// given (a full disk at commit retries the commit, not the decode and OCR before it).
/// At most `limits.max_in_flight` documents are between spool and commit: `submit` blocks beyond that.
public final class StagedPipeline: Sendable {
    public let configuration: PipelineConfiguration
    public let processor: DocumentProcessor
    public var store: any QueueStore { processor.store }
    private let clock: any Clock
    private let logger: Logger
    private let faults: StageFaultInjector?
    private let inFlight: DispatchSemaphore
    private let decodePool: WorkerPool<Void>
    private let extractPool: WorkerPool<FormExtractor>
    private let commitQueue = DispatchQueue(label: "faxintake.commit")
    private let retryQueue = DispatchQueue(label: "faxintake.retry")
    private let group = DispatchGroup()
    /// Paths between spool and commit, and the run's totals.
    private struct State {
        var claimed: Set<String> = []
        var totals = RunCounts()
    }
    private let state = Mutex(State())
    private let onProgress: (@Sendable (RunCounts) -> Void)?
    /// Time per stage over the run.
    public let profile = StageProfile()
    private let metrics = PipelineMetrics()
    /// Told when a path leaves the pipeline, so readiness can forget it.
    private let onRelease: (@Sendable (String) -> Void)?

    /// - Parameter resources: loaded by the caller before anything is taken (`PipelineResources.load`),
    ///   so a configuration error stops the program instead of failing documents.
    public init(
        configuration: PipelineConfiguration, resources: PipelineResources, store: any QueueStore, clock: any Clock = SystemClock(),
        logger: Logger = Logger(label: "faxintake.pipeline"), makeExtractor: (@Sendable () throws(StageFailure) -> FormExtractor)? = nil,
        faults: StageFaultInjector? = nil, onProgress: (@Sendable (RunCounts) -> Void)? = nil,
        onRelease: (@Sendable (String) -> Void)? = nil
    ) {
        self.configuration = configuration
        processor = DocumentProcessor(configuration: configuration, resources: resources, store: store, clock: clock)
        self.clock = clock
        self.logger = logger
        self.faults = faults
        self.onProgress = onProgress
        self.onRelease = onRelease
        inFlight = DispatchSemaphore(value: configuration.maxInFlight)
        decodePool = WorkerPool(name: "decode", size: configuration.workers.decode) { () }
        if let makeExtractor {
            extractPool = WorkerPool(name: "extract", size: configuration.workers.extract, make: makeExtractor)
        } else {
            extractPool = WorkerPool(name: "extract", size: configuration.workers.extract, make: { () throws(StageFailure) in try resources.makeExtractor() })
        }
    }

    public var counts: RunCounts {
        state.withLock { $0.totals }
    }

    /// True while the path is somewhere between spool and commit.
    public func isClaimed(_ path: String) -> Bool {
        state.withLock { $0.claimed.contains(path) }
    }

    /// Takes a ready document; blocks while `max_in_flight` documents are already in the pipeline.
    /// Returns false when the path is already in flight.
    @discardableResult
    public func submit(_ entry: SpoolEntry) -> Bool {
        let fresh = state.withLock { $0.claimed.insert(entry.path).inserted }
        guard fresh else { return false }
        inFlight.wait()
        group.enter()
        update { $0.taken += 1; $0.inFlight += 1 }
        intakeStage(entry, attempt: 1)
        return true
    }

    /// Waits until every submitted document is committed, failed or given back to the spool.
    public func waitUntilIdle() {
        group.wait()
    }

    /// Waits up to `timeout`; true when idle.
    public func waitUntilIdle(timeout: TimeInterval) -> Bool {
        group.wait(timeout: .now() + timeout) == .success
    }

    // MARK: Stages

    private func intakeStage(_ entry: SpoolEntry, attempt: Int) {
        decodePool.submit { _ in
            let outcome: IntakeOutcome
            do throws(StageFailure) {
                try self.faults?(.intake, entry.fileName)
                outcome = try self.processor.intake(entry)
            } catch {
                // Without the bytes nothing can be stored: retry, then leave the file for the next scan.
                if self.shouldRetry(error, attempt: attempt, sha: nil) {
                    return self.later(attempt) { self.intakeStage(entry, attempt: attempt + 1) }
                }
                self.logger.error("cannot read a spooled document; leaving it in the spool for the next scan", metadata: [
                    "file": "\(entry.fileName)", "stage": "\(error.stage.rawValue)", "reason": "\(error.reason)",
                ])
                self.update { $0.leftInSpool += 1 }
                return self.release(entry)
            }
            switch outcome {
            case .alreadyCommitted(let sha, let items):
                self.logger.info("already in the queue; removing from the spool", metadata: [
                    "items": "\(items.map(\.description).joined(separator: ","))", "sha256": "\(sha.prefix(12))"])
                self.commitQueue.async {
                    self.removeFromSpool(entry)
                    self.update { $0.alreadyPresent += 1 }
                    self.release(entry)
                }
            case .taken(let record):
                if case .unreadable(_, let reason) = record.sidecar {
                    self.logger.warning("sidecar unreadable; using the other line sources", metadata: [
                        "sha256": "\(record.sha256.prefix(12))", "reason": "\(reason)"])
                }
                self.pagesStage(entry, record, attempt: 1)
            }
        }
    }

    private func pagesStage(_ entry: SpoolEntry, _ record: IntakeRecord, attempt: Int) {
        decodePool.submit { _ in
            do throws(StageFailure) {
                try self.faults?(.decode, entry.fileName)
                let pages = try self.profile.measure("decode") { () throws(StageFailure) in try self.processor.pages(record) }
                self.profile.add("classify", seconds: pages.classifySeconds, count: pages.pageCount)
                self.requestsStage(entry, pages, attempt: 1)
            } catch {
                self.failed(error, entry, record, attempt: attempt) { self.pagesStage(entry, record, attempt: attempt + 1) }
            }
        }
    }

    private func requestsStage(_ entry: SpoolEntry, _ pages: DocumentPages, attempt: Int) {
        extractPool.submit { extractor in
            do throws(StageFailure) {
                try self.faults?(.extract, entry.fileName)
                let started = DispatchTime.now().uptimeNanoseconds
                let document = try self.processor.requests(pages, extractor: try extractor.get())
                let ocr = document.requests.reduce(0) { $0 + $1.extraction.timings.ocr }
                self.profile.add("ocr", seconds: ocr)
                self.profile.add("validate+route", seconds: max(0, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 - ocr))
                try self.faults?(.validate, entry.fileName)
                try self.faults?(.route, entry.fileName)
                self.commitQueue.async { self.commitStage(entry, document, attempt: 1) }
            } catch {
                self.failed(error, entry, pages.record, attempt: attempt, line: pages.line, pageCount: pages.pageCount) {
                    self.requestsStage(entry, pages, attempt: attempt + 1)
                }
            }
        }
    }

    private func commitStage(_ entry: SpoolEntry, _ document: DocumentRequests, attempt: Int) {
        let started = DispatchTime.now().uptimeNanoseconds
        defer { profile.add("commit", seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9) }
        let outcomes: [InsertOutcome]
        do throws(StageFailure) {
            outcomes = try processor.commit(document, faults: faults)
        } catch {
            return failed(error, entry, document.record, attempt: attempt, line: document.line, pageCount: document.pageCount) {
                self.commitQueue.async { self.commitStage(entry, document, attempt: attempt + 1) }
            }
        }
        removeFromSpool(entry)
        let inserted = outcomes.filter(\.wasInserted).map(\.item)
        for item in inserted {
            logger.info("queued", metadata: [
                "item": "\(item.id)", "route": "\(item.route)", "priority": "\(item.priority)",
                "pages": "\(item.pageRange.map { "\($0.first)-\($0.last)" } ?? "-")",
                "flags": "\(item.flags.map(\.rawValue).joined(separator: ","))",
            ])
        }
        if inserted.isEmpty {
            logger.info("same bytes already queued; removed from the spool", metadata: ["sha256": "\(document.record.sha256.prefix(12))"])
            update { $0.alreadyPresent += 1 }
        } else {
            update {
                $0.queued += 1
                $0.requests += inserted.count
                $0.pages += document.pageCount
                $0.possibleDuplicates += inserted.filter { $0.duplicateOf != nil }.count
            }
        }
        release(entry)
    }

    private func shouldRetry(_ failure: StageFailure, attempt: Int, sha: String?) -> Bool {
        guard !failure.permanent, attempt < configuration.retry.attempts else { return false }
        logger.info("transient failure; retrying", metadata: [
            "stage": "\(failure.stage.rawValue)", "attempt": "\(attempt)", "retry_in_s": "\(backoff(attempt))",
            "sha256": "\(sha?.prefix(12) ?? "-")",
        ])
        update { $0.retried += 1 }
        return true
    }

    private func backoff(_ attempt: Int) -> Double {
        configuration.retry.backoffSeconds * pow(2, Double(attempt - 1))
    }

    private func later(_ attempt: Int, _ work: @escaping @Sendable () -> Void) {
        retryQueue.asyncAfter(deadline: .now() + backoff(attempt), execute: work)
    }

    /// Retries the stage that failed, or stores the document as failed with its reason.
    private func failed(_ failure: StageFailure, _ entry: SpoolEntry, _ record: IntakeRecord, attempt: Int,
                        line: LineResolution? = nil, pageCount: Int = 0, retry: @escaping @Sendable () -> Void) {
        if shouldRetry(failure, attempt: attempt, sha: record.sha256) { return later(attempt, retry) }
        commitQueue.async { self.commitFailure(entry, record, failure, attempt: attempt, line: line, pageCount: pageCount) }
    }

    // MARK: Commit (serial)

    private func commitFailure(_ entry: SpoolEntry, _ record: IntakeRecord, _ failure: StageFailure, attempt: Int,
                               line: LineResolution?, pageCount: Int) {
        do throws(StageFailure) {
            let outcome = try processor.commitFailure(record, line: line, pageCount: pageCount, failure: failure, attempts: attempt)
            removeFromSpool(entry)
            logger.warning("failed", metadata: [
                "item": "\(outcome.item.id)", "stage": "\(failure.stage.rawValue)", "reason": "\(failure.reason)",
                "permanent": "\(failure.permanent)", "attempts": "\(attempt)",
            ])
            update { if outcome.wasInserted { $0.failed += 1 } else { $0.alreadyPresent += 1 } }
        } catch {
            logger.error("cannot record a failed document; leaving it in the spool", metadata: [
                "sha256": "\(record.sha256.prefix(12))", "stage": "\(failure.stage.rawValue)", "error": "\(error.reason)",
            ])
            update { $0.leftInSpool += 1 }
        }
        release(entry)
    }

    /// Companions first: if we stop halfway, the document is still there and its hash settles it next run.
    private func removeFromSpool(_ entry: SpoolEntry) {
        for companion in [entry.sidecarPath, entry.markerPath].compactMap({ $0 }) { unlink(companion) }
        // A sidecar or marker that arrived after we looked belongs to this document too.
        for ext in ["json", "done"] { unlink(entry.companionBase + "." + ext) }
        unlink(entry.path)
    }

    private func release(_ entry: SpoolEntry) {
        state.withLock { _ = $0.claimed.remove(entry.path) }
        onRelease?(entry.path)
        update { $0.inFlight -= 1 }
        inFlight.signal()
        group.leave()
    }

    private func update(_ change: (inout RunCounts) -> Void) {
        let (before, snapshot) = state.withLock { state -> (RunCounts, RunCounts) in
            let before = state.totals
            change(&state.totals)
            return (before, state.totals)
        }
        metrics.record(from: before, to: snapshot)
        onProgress?(snapshot)
    }
}
