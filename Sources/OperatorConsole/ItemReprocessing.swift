import Dispatch
import FormExtraction
import Foundation
import IntakePipeline
import IntakeQueue

/// Re-runs a failed item: the pipeline's `Reprocessor` in the server, a stand-in in route tests (no OCR there).
public protocol ItemReprocessing: Sendable {
    func reprocess(_ id: ItemID) async throws -> Reprocessor.Outcome
}

/// The pipeline's reprocessing, one item at a time on its own thread with one extractor (tesseract
/// handles are not shared between threads), made when first needed.
public final class PipelineReprocessing: ItemReprocessing, @unchecked Sendable {
    // @unchecked: `extractor` is touched only on `queue`, a serial queue.
    private let reprocessor: Reprocessor
    private let resources: PipelineResources
    private let queue = DispatchQueue(label: "faxintake.console.reprocess")
    private var extractor: FormExtractor?

    public init(reprocessor: Reprocessor, resources: PipelineResources) {
        self.reprocessor = reprocessor
        self.resources = resources
    }

    public func reprocess(_ id: ItemID) async throws -> Reprocessor.Outcome {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    if self.extractor == nil { self.extractor = try self.resources.makeExtractor() }
                    continuation.resume(returning: try self.reprocessor.reprocess(id, extractor: self.extractor!))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
