import FaxImaging
import FormExtraction
import Foundation
import IntakeQueue
import Logging

/// Re-runs failed items from their archived originals and requeues them under the same id.
public struct Reprocessor: Sendable {
    public let stages: DocumentStages
    public let store: any QueueStore
    public let archive: OriginalArchive
    private let clock: any Clock
    private let logger: Logger
    private let faults: StageFaultInjector?

    public init(configuration: PipelineConfiguration, store: any QueueStore, clock: any Clock = SystemClock(),
                logger: Logger = Logger(label: "faxintake.reprocess"), faults: StageFaultInjector? = nil) {
        stages = DocumentStages(configuration: configuration)
        self.store = store
        archive = OriginalArchive(root: configuration.archive)
        self.clock = clock
        self.logger = logger
        self.faults = faults
    }

    /// What happened to one item.
    public enum Outcome: Sendable, Equatable {
        case requeued(ItemID, route: String)
        /// Already queued (or worked): nothing to do; reprocessing is idempotent.
        case unchanged(ItemID, status: ItemStatus)
        case failedAgain(ItemID, stage: String, reason: String, attempts: Int)
    }

    /// Reprocesses one item with `extractor` (the caller's, used on the caller's thread only).
    public func reprocess(_ id: ItemID, extractor: FormExtractor) throws(QueueStoreError) -> Outcome {
        guard let item = try store.item(id: id) else { throw .notFound(id) }
        guard item.status == .failed else { return .unchanged(id, status: item.status) }
        do throws(StageFailure) {
            try faults?(.decode, item.sourceFileName)
            guard FileManager.default.fileExists(atPath: item.archivePath) else {
                throw StageFailure(stage: .decode, reason: "the archived original \(item.archivePath) is missing; restore it from backup", permanent: false)
            }
            let document = try stages.decode(path: item.archivePath)
            var line: LineResolution?
            if item.channel == .fax {
                let sidecar = archive.sidecar(sha256: item.sha256)
                if let number = sidecar?.calledNumber ?? item.faxLine {
                    line = LineResolution(line: stages.configuration.line(forNumber: number), dialled: number, source: "stored")
                } else {
                    line = stages.router.resolveLine(callIDs: document.fax.callIDs)
                }
            }
            try faults?(.extract, item.sourceFileName)
            let result = try stages.extract(document, with: extractor)
            try faults?(.validate, item.sourceFileName)
            let form = try stages.validate(result)
            try faults?(.route, item.sourceFileName)
            var content = stages.route(form, channel: item.channel, line: line, receivedAt: item.receivedAt)
            content.flags += item.flags.filter { $0 == .sidecarUnreadable }
            if let key = content.duplicateKey,
               let earlier = try? store.possibleDuplicate(
                   ofKey: key, serviceDate: content.serviceDate, receivedAt: item.receivedAt,
                   within: stages.configuration.duplicateWindowDays * 86_400, excluding: item.sha256),
               earlier.id != item.id {
                content.duplicateOf = earlier.id
                content.flags.append(.possibleDuplicate)
            }
            let attempts = (item.failure?.attempts ?? 0) + 1
            let updated: QueueItem
            do {
                updated = try store.requeue(id: id, with: content, note: "reprocessed from the archived original (attempt \(attempts))")
            } catch { throw .store(error, stage: .commit) }
            logger.info("reprocessed", metadata: ["item": "\(id)", "route": "\(updated.route)"])
            return .requeued(id, route: updated.route)
        } catch {
            let attempts = (item.failure?.attempts ?? 0) + 1
            _ = try store.markFailed(id: id, failure: FailureRecord(
                stage: error.stage, reason: error.reason, attempts: attempts,
                lastAttemptAt: clock.now(), permanent: error.permanent))
            logger.warning("reprocess failed again", metadata: ["item": "\(id)", "stage": "\(error.stage.rawValue)", "attempts": "\(attempts)"])
            return .failedAgain(id, stage: error.stage.rawValue, reason: error.reason, attempts: attempts)
        }
    }

    /// Failed items to reprocess for `--failed`: permanent failures are left alone (retrying cannot help).
    public func candidates(since: Date?, stage: PipelineStage?) throws(QueueStoreError) -> [QueueItem] {
        try store.list(ItemFilter(status: .failed, receivedSince: since, failedStage: stage))
            .filter { !($0.failure?.permanent ?? false) }
    }
}
