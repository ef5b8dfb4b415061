import FaxImaging
import FormExtraction
import Foundation
import IntakeQueue
import Logging

/// Re-runs failed items from their archived originals through the same `DocumentProcessor` as `run`,
/// and requeues them under the same id (further requests found in the file join as siblings).
public struct Reprocessor: Sendable {
    public let processor: DocumentProcessor
    public var store: any QueueStore { processor.store }
    private let clock: any Clock
    private let logger: Logger
    private let faults: StageFaultInjector?

    public init(configuration: PipelineConfiguration, resources: PipelineResources, store: any QueueStore, clock: any Clock = SystemClock(),
                logger: Logger = Logger(label: "faxintake.reprocess"), faults: StageFaultInjector? = nil) {
        processor = DocumentProcessor(configuration: configuration, resources: resources, store: store, clock: clock)
        self.clock = clock
        self.logger = logger
        self.faults = faults
    }

    /// What happened to one item.
    public enum Outcome: Sendable, Equatable {
        /// Requeued on `route`; `siblings` are the further requests the file turned out to hold.
        case requeued(ItemID, route: String, siblings: [ItemID])
        /// Already queued (or worked): nothing to do; reprocessing is idempotent.
        case unchanged(ItemID, status: ItemStatus)
        case failedAgain(ItemID, stage: PipelineStage, reason: String, attempts: Int)
    }

    /// Reprocesses one item with `extractor` (the caller's, used on the caller's thread only).
    public func reprocess(_ id: ItemID, extractor: FormExtractor) throws(QueueStoreError) -> Outcome {
        guard let item = try store.item(id: id) else { throw .notFound(id) }
        guard item.status == .failed else { return .unchanged(id, status: item.status) }
        let attempts = (item.failure?.attempts ?? 0) + 1
        do throws(StageFailure) {
            try faults?(.intake, item.sourceFileName)
            let record = try processor.intake(archived: item)
            try faults?(.decode, item.sourceFileName)
            let pages = try processor.pages(record)
            try faults?(.extract, item.sourceFileName)
            let document = try processor.requests(pages, extractor: extractor)
            try faults?(.commit, item.sourceFileName)
            let stored = try processor.requeue(item, with: document, note: "reprocessed from the archived original (attempt \(attempts))")
            logger.info("reprocessed", metadata: ["item": "\(id)", "route": "\(stored[0].route)", "requests": "\(stored.count)"])
            return .requeued(id, route: stored[0].route, siblings: stored.dropFirst().map(\.id))
        } catch {
            _ = try store.markFailed(id: id, failure: FailureRecord(
                stage: error.stage, reason: error.reason, attempts: attempts,
                lastAttemptAt: clock.now(), permanent: error.permanent))
            logger.warning("reprocess failed again", metadata: ["item": "\(id)", "stage": "\(error.stage.rawValue)", "attempts": "\(attempts)"])
            return .failedAgain(id, stage: error.stage, reason: error.reason, attempts: attempts)
        }
    }

    /// Failed items to reprocess for `--failed`: permanent failures are left alone (retrying cannot help).
    public func candidates(since: Date?, stage: PipelineStage?) throws(QueueStoreError) -> [QueueItem] {
        try store.list(ItemFilter(status: .failed, receivedSince: since, failedStage: stage))
            .filter { !($0.failure?.permanent ?? false) }
    }
}
