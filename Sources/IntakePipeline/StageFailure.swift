import FaxImaging
import FormExtraction
import IntakeQueue

/// Why a document could not pass a stage, and whether trying again could help.
///
/// The reason names the stage's problem and the limit or file involved, never a field value.
public struct StageFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var stage: PipelineStage
    public var reason: String
    /// True for bad input (retrying cannot help); false for I/O, locks and OCR engine trouble.
    public var permanent: Bool

    public init(stage: PipelineStage, reason: String, permanent: Bool) {
        self.stage = stage
        self.reason = reason
        self.permanent = permanent
    }

    public var description: String { "\(stage.rawValue): \(reason)\(permanent ? "" : " (transient; will be retried)")" }

    static func decoding(_ error: DecodeError) -> StageFailure {
        StageFailure(stage: .decode, reason: error.reason, permanent: error.isBadInput)
    }

    static func extracting(_ error: ExtractionError) -> StageFailure {
        switch error {
        case .decode(let decode):
            return StageFailure(stage: .extract, reason: decode.reason, permanent: decode.isBadInput)
        case .recognition(_, let page, let recognition):
            return StageFailure(stage: .extract, reason: "page \(page + 1): \(recognition)", permanent: false)
        case .template(let path, let reason):
            return StageFailure(stage: .extract, reason: "form template \(path): \(reason); fix the pipeline's form and reprocess", permanent: false)
        case .wordList(let path, let reason):
            return StageFailure(stage: .extract, reason: "word list \(path): \(reason); fix extraction.word_list and reprocess", permanent: false)
        case .calibration(let path, let reason):
            return StageFailure(stage: .extract, reason: "confidence calibration \(path): \(reason); fix extraction.calibration and reprocess", permanent: false)
        }
    }

    static func storing(_ error: PipelineError, stage: PipelineStage) -> StageFailure {
        StageFailure(stage: stage, reason: error.description, permanent: false)
    }

    static func store(_ error: QueueStoreError, stage: PipelineStage) -> StageFailure {
        switch error {
        case .invalidItem:
            return StageFailure(stage: stage, reason: error.description, permanent: true)
        default:
            return StageFailure(stage: stage, reason: error.description, permanent: false)
        }
    }
}

/// A test seam: called before each stage of each document; throwing makes that stage fail.
public typealias StageFaultInjector = @Sendable (_ stage: PipelineStage, _ sourceFileName: String) throws(StageFailure) -> Void
