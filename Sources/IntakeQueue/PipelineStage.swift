/// The stages a document passes through, in order; failure records name one of these.
///
/// It lives with the queue, not the pipeline, because the store files failures under it (the
/// `failed_stage` column) and filters by it; the raw value is what the database and JSON hold.
public enum PipelineStage: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    case intake
    case decode
    case extract
    case validate
    case route
    case archive
    case commit

    public var description: String { rawValue }
}
