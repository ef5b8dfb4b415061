import Dispatch
import FaxImaging
import FormExtraction
import Foundation
import IntakeQueue
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Running totals of one pipeline run, for the progress line and the final summary (no PHI).
public struct RunCounts: Sendable, Codable, Equatable {
    /// Documents taken from the spool.
    public var taken = 0
    public var queued = 0
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

/// Builds one `FormExtractor` per extract worker; called on that worker's queue.
public typealias ExtractorFactory = @Sendable () throws(StageFailure) -> FormExtractor

/// Decode → extract → validate → route → commit, each stage a bounded pool of Dispatch workers.
///
/// At most `limits.max_in_flight` documents are between spool and commit: `submit` blocks beyond that.
/// `@unchecked Sendable` because its mutable state (`claimed`, `counts`) is only touched under `lock`;
/// everything else is immutable or itself thread-safe (queues, semaphores, the store).
public final class StagedPipeline: @unchecked Sendable {
    public let configuration: PipelineConfiguration
    public let stages: DocumentStages
    public let store: any QueueStore
    public let archive: OriginalArchive
    private let clock: any Clock
    private let logger: Logger
    private let faults: StageFaultInjector?
    private let inFlight: DispatchSemaphore
    private let decodePool: WorkerPool<Void>
    private let extractPool: WorkerPool<FormExtractor>
    private let commitQueue = DispatchQueue(label: "faxintake.commit")
    private let retryQueue = DispatchQueue(label: "faxintake.retry")
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var claimed: Set<String> = []
    private var totals = RunCounts()
    private let onProgress: (@Sendable (RunCounts) -> Void)?
    /// Time per stage over the run.
    public let profile = StageProfile()
    private let metrics = PipelineMetrics()
    /// Told when a path leaves the pipeline, so readiness can forget it.
    private let onRelease: (@Sendable (String) -> Void)?

    public init(
        configuration: PipelineConfiguration, store: any QueueStore, clock: any Clock = SystemClock(),
        logger: Logger = Logger(label: "faxintake.pipeline"), makeExtractor: @escaping ExtractorFactory,
        faults: StageFaultInjector? = nil, onProgress: (@Sendable (RunCounts) -> Void)? = nil,
        onRelease: (@Sendable (String) -> Void)? = nil
    ) {
        self.configuration = configuration
        stages = DocumentStages(configuration: configuration)
        self.store = store
        archive = OriginalArchive(root: configuration.archive)
        self.clock = clock
        self.logger = logger
        self.faults = faults
        self.onProgress = onProgress
        self.onRelease = onRelease
        inFlight = DispatchSemaphore(value: configuration.maxInFlight)
        decodePool = WorkerPool(name: "decode", size: configuration.workers.decode) { () }
        extractPool = WorkerPool(name: "extract", size: configuration.workers.extract, make: makeExtractor)
    }

    /// The standard factory: the pipeline's form template, its word list, a fresh tesseract engine for
    /// each worker and, where the pipeline names a second model, one engine for it shared by all the
    /// workers this factory makes (it reads only the fields the first is unsure of, and a model per
    /// worker would cost its memory twice).
    public static func extractorFactory(_ configuration: PipelineConfiguration) -> ExtractorFactory {
        let secondOpinion = SharedSecondOpinion()
        return { () throws(StageFailure) -> FormExtractor in
            let form: FormDefinition
            do throws(ExtractionError) {
                form = try FormDefinition.load(directory: configuration.formDirectory, name: configuration.formName)
            } catch {
                throw StageFailure(stage: .extract, reason: "\(error.description); check form.template in \(configuration.file)", permanent: false)
            }
            let lexicon: Lexicon?
            do throws(ExtractionError) {
                lexicon = try configuration.wordList.map { path throws(ExtractionError) in try Lexicon.load(path: path) }
            } catch {
                throw StageFailure(stage: .extract, reason: "\(error.description); check extraction.word_list in \(configuration.file)", permanent: false)
            }
            var second: TextRecognizer?
            if let path = configuration.secondOpinionTessdata {
                do throws(RecognitionError) {
                    second = try secondOpinion.engine { () throws(RecognitionError) in try TesseractRecognizer(dataPath: path) }
                } catch {
                    throw StageFailure(stage: .extract, reason: "\(error) from \(path); check extraction.second_opinion_tessdata in "
                                       + "\(configuration.file) (scripts/setup.sh installs it)", permanent: false)
                }
            }
            do throws(RecognitionError) {
                return FormExtractor(form: form, recognizer: try TesseractRecognizer(), secondOpinion: second,
                                     policy: configuration.extraction, lexicon: lexicon)
            } catch {
                throw StageFailure(stage: .extract, reason: "\(error); is tesseract-ocr-eng installed?", permanent: false)
            }
        }
    }

    public var counts: RunCounts {
        lock.withLock { totals }
    }

    /// True while the path is somewhere between spool and commit.
    public func isClaimed(_ path: String) -> Bool {
        lock.withLock { claimed.contains(path) }
    }

    /// Takes a ready document; blocks while `max_in_flight` documents are already in the pipeline.
    /// Returns false when the path is already in flight.
    @discardableResult
    public func submit(_ entry: SpoolEntry) -> Bool {
        let fresh = lock.withLock { claimed.insert(entry.path).inserted }
        guard fresh else { return false }
        inFlight.wait()
        group.enter()
        update { $0.taken += 1; $0.inFlight += 1 }
        decodeStage(Job(entry: entry))
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

    /// One document on its way through; grows as stages learn more about it.
    struct Job: Sendable {
        var entry: SpoolEntry
        var attempt = 1
        var data: Data?
        var sha256: String?
        var sidecar: FaxSidecar?
        var sidecarData: Data?
        var receivedAt: Date?
        var pageCount = 0
        var line: LineResolution?
        var extraFlags: [ItemFlag] = []
        var stationID: String?
    }

    private func decodeStage(_ job: Job) {
        decodePool.submit { _ in
            var job = job
            do throws(StageFailure) {
                if job.sha256 == nil {
                    if try self.readOriginal(&job) == .alreadyCommitted { return }
                }
                try self.faults?(.decode, job.entry.fileName)
                let document = try self.profile.measure("decode") { () throws(StageFailure) in try self.stages.decode(path: job.entry.path) }
                job.pageCount = document.pages.count
                job.stationID = job.sidecar?.stationID ?? document.fax.stationID
                if job.entry.channel == .fax, job.line?.source == "none" || job.line == nil {
                    job.line = self.stages.router.resolveLine(entry: job.entry, sidecar: job.sidecar, fax: document.fax)
                }
                self.extractStage(job, document)
            } catch {
                self.handle(error, job)
            }
        }
    }

    private func extractStage(_ job: Job, _ document: DecodedDocument) {
        extractPool.submit { extractor in
            do throws(StageFailure) {
                try self.faults?(.extract, job.entry.fileName)
                let result = try self.stages.extract(document, with: try extractor.get())
                self.profile.add("classify", seconds: result.timings.classify, count: document.pages.count)
                self.profile.add("register", seconds: result.timings.register, count: document.pages.count)
                self.profile.add("ocr", seconds: result.timings.ocr)
                let routeStarted = DispatchTime.now().uptimeNanoseconds
                try self.faults?(.validate, job.entry.fileName)
                let form = try self.stages.validate(result)
                try self.faults?(.route, job.entry.fileName)
                var content = self.stages.route(form, channel: job.entry.channel, line: job.line, receivedAt: job.receivedAt!)
                self.profile.add("validate+route", seconds: Double(DispatchTime.now().uptimeNanoseconds - routeStarted) / 1e9)
                content.flags += job.extraFlags
                let routed = content
                self.commitQueue.async { self.commit(job, routed) }
            } catch {
                self.handle(error, job)
            }
        }
    }

    private enum ReadOutcome { case read, alreadyCommitted }

    /// Reads the bytes and sidecar, hashes them, and settles files whose item already exists.
    private func readOriginal(_ job: inout Job) throws(StageFailure) -> ReadOutcome {
        let data: Data
        do { data = try SpoolFile.read(job.entry.path) } catch {
            throw StageFailure(stage: .intake, reason: "cannot read the spooled file: \(error.reason)", permanent: false)
        }
        let sha = SHA256Digest.hex(data)
        job.data = data
        job.sha256 = sha
        let existing: QueueItem?
        do { existing = try store.item(sha256: sha) } catch { throw .store(error, stage: .intake) }
        if let existing {
            // A crash between commit and unlink, or the same bytes dropped again: nothing new to store.
            logger.info("already in the queue; removing from the spool", metadata: ["item": "\(existing.id)", "sha256": "\(sha.prefix(12))"])
            let entry = job.entry
            commitQueue.async {
                self.removeFromSpool(entry)
                self.update { $0.alreadyPresent += 1 }
                self.release(entry)
            }
            return .alreadyCommitted
        }
        if let sidecarPath = job.entry.sidecarPath {
            do {
                job.sidecar = try FaxSidecar.load(path: sidecarPath)
                job.sidecarData = try? SpoolFile.read(sidecarPath)
            } catch {
                logger.warning("sidecar unreadable; using the other line sources", metadata: ["sha256": "\(sha.prefix(12))", "reason": "\(error.reason)"])
                job.sidecarData = try? SpoolFile.read(sidecarPath)
                job.extraFlags.append(.sidecarUnreadable)
            }
        }
        job.receivedAt = job.sidecar?.receivedAt ?? Self.modificationTime(job.entry.path) ?? clock.now()
        if job.entry.channel == .fax {
            job.line = stages.router.resolveLine(entry: job.entry, sidecar: job.sidecar, fax: nil)
        }
        return .read
    }

    private func handle(_ failure: StageFailure, _ job: Job) {
        if !failure.permanent, job.attempt < configuration.retry.attempts {
            let delay = configuration.retry.backoffSeconds * pow(2, Double(job.attempt - 1))
            logger.info("transient failure; retrying", metadata: [
                "stage": "\(failure.stage.rawValue)", "attempt": "\(job.attempt)", "retry_in_s": "\(delay)",
                "sha256": "\(job.sha256?.prefix(12) ?? "-")",
            ])
            update { $0.retried += 1 }
            var retry = job
            retry.attempt += 1
            let next = retry
            retryQueue.asyncAfter(deadline: .now() + delay) { self.decodeStage(next) }
            return
        }
        commitQueue.async { self.commitFailure(job, failure) }
    }

    // MARK: Commit (serial)

    private func commit(_ job: Job, _ proposed: ItemContent) {
        let started = DispatchTime.now().uptimeNanoseconds
        defer { profile.add("commit", seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9) }
        var content = proposed
        guard let data = job.data, let sha = job.sha256, let receivedAt = job.receivedAt else {
            return commitFailure(job, StageFailure(stage: .commit, reason: "internal: the document reached commit without its bytes", permanent: false))
        }
        do throws(StageFailure) {
            try faults?(.archive, job.entry.fileName)
            let archivePath: String
            do { archivePath = try archive.store(original: data, sha256: sha, sidecar: job.sidecarData) } catch {
                throw .storing(error, stage: .archive)
            }
            // Between archive and insert: the window a crash must not turn into a lost or doubled item.
            try faults?(.commit, job.entry.fileName)
            if let key = content.duplicateKey {
                let earlier: QueueItem?
                do {
                    earlier = try store.possibleDuplicate(
                        ofKey: key, serviceDate: content.serviceDate, receivedAt: receivedAt,
                        within: configuration.duplicateWindowDays * 86_400, excluding: sha)
                } catch { throw .store(error, stage: .commit) }
                if let earlier {
                    content.duplicateOf = earlier.id
                    content.flags.append(.possibleDuplicate)
                }
            }
            let outcome: InsertOutcome
            do { outcome = try store.insert(newItem(job, content: content, archivePath: archivePath)) } catch {
                throw .store(error, stage: .commit)
            }
            removeFromSpool(job.entry)
            let item = outcome.item
            if outcome.wasInserted {
                logger.info("queued", metadata: [
                    "item": "\(item.id)", "route": "\(item.route)", "priority": "\(item.priority)",
                    "pages": "\(item.pageCount)", "flags": "\(item.flags.map(\.rawValue).joined(separator: ","))",
                ])
                update {
                    $0.queued += 1
                    $0.pages += job.pageCount
                    if content.duplicateOf != nil { $0.possibleDuplicates += 1 }
                }
            } else {
                logger.info("same bytes already queued; removed from the spool", metadata: ["item": "\(item.id)"])
                update { $0.alreadyPresent += 1 }
            }
            release(job.entry)
        } catch {
            // Archive or store trouble: retry the document, then record it as failed.
            handle(error, job)
        }
    }

    private func commitFailure(_ job: Job, _ failure: StageFailure) {
        let now = clock.now()
        guard let data = job.data, let sha = job.sha256 else {
            logger.error("cannot read a spooled document; leaving it in the spool for the next scan", metadata: [
                "file": "\(job.entry.fileName)", "stage": "\(failure.stage.rawValue)", "reason": "\(failure.reason)",
            ])
            update { $0.leftInSpool += 1 }
            return release(job.entry)
        }
        do {
            let archivePath = try archive.store(original: data, sha256: sha, sidecar: job.sidecarData)
            let receivedAt = job.receivedAt ?? now
            var content = stages.failedContent(channel: job.entry.channel, line: job.line, receivedAt: receivedAt)
            content.flags += job.extraFlags
            var new = newItem(job, content: content, archivePath: archivePath)
            new.status = .failed
            new.failure = FailureRecord(stage: failure.stage, reason: failure.reason, attempts: job.attempt,
                                        lastAttemptAt: now, permanent: failure.permanent)
            let outcome = try store.insert(new)
            removeFromSpool(job.entry)
            logger.warning("failed", metadata: [
                "item": "\(outcome.item.id)", "stage": "\(failure.stage.rawValue)", "reason": "\(failure.reason)",
                "permanent": "\(failure.permanent)", "attempts": "\(job.attempt)",
            ])
            update { if outcome.wasInserted { $0.failed += 1 } else { $0.alreadyPresent += 1 } }
        } catch {
            logger.error("cannot record a failed document; leaving it in the spool", metadata: [
                "sha256": "\(sha.prefix(12))", "stage": "\(failure.stage.rawValue)", "error": "\(error)",
            ])
            update { $0.leftInSpool += 1 }
        }
        release(job.entry)
    }

    private func newItem(_ job: Job, content: ItemContent, archivePath: String) -> NewItem {
        NewItem(
            sha256: job.sha256 ?? "", receivedAt: job.receivedAt ?? clock.now(), channel: job.entry.channel,
            faxLine: job.line?.line?.number ?? job.line?.dialled, caller: job.sidecar?.callerNumber,
            stationID: job.stationID ?? job.sidecar?.stationID, sourceFileName: job.entry.fileName,
            archivePath: archivePath, pageCount: job.pageCount, content: content)
    }

    /// Companions first: if we stop halfway, the document is still there and its hash settles it next run.
    private func removeFromSpool(_ entry: SpoolEntry) {
        for companion in [entry.sidecarPath, entry.markerPath].compactMap({ $0 }) { unlink(companion) }
        // A sidecar or marker that arrived after we looked belongs to this document too.
        for ext in ["json", "done"] { unlink(entry.companionBase + "." + ext) }
        unlink(entry.path)
    }

    private func release(_ entry: SpoolEntry) {
        lock.withLock { _ = claimed.remove(entry.path) }
        onRelease?(entry.path)
        update { $0.inFlight -= 1 }
        inFlight.signal()
        group.leave()
    }

    private func update(_ change: (inout RunCounts) -> Void) {
        let (before, snapshot) = lock.withLock { () -> (RunCounts, RunCounts) in
            let before = totals
            change(&totals)
            return (before, totals)
        }
        metrics.record(from: before, to: snapshot)
        onProgress?(snapshot)
    }

    static func modificationTime(_ path: String) -> Date? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }
}

/// The second-opinion engine of one extractor factory: made on first use and shared by its workers.
final class SharedSecondOpinion: @unchecked Sendable {
    // @unchecked: `shared` is read and written only under `lock`.
    private let lock = NSLock()
    private var shared: SerialRecognizer?

    func engine(_ make: () throws(RecognitionError) -> TextRecognizer) throws(RecognitionError) -> SerialRecognizer {
        lock.lock()
        defer { lock.unlock() }
        if let shared { return shared }
        let made = SerialRecognizer(try make(), label: "faxintake.ocr.second-opinion")
        shared = made
        return made
    }
}
