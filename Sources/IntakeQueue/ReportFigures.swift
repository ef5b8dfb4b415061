import Foundation

/// The nightly report's numbers for a range of receive times, as the store aggregates them. Counts only: no PHI.
///
/// Documents are items (requests); pages are counted once per file, since a file's requests share
/// its pages: a file's pages count once in every group it has a request in.
public struct ReportFigures: Hashable, Sendable, Codable {
    /// Items received in the range.
    public var documents: Int
    /// Distinct files (SHA-256) those items came from.
    public var files: Int
    /// Pages of those files, each file once.
    public var pages: Int
    /// Per channel and dialled fax number (the line's name is the pipeline configuration's business).
    public var byLine: [LineVolume]
    public var byRoute: [RouteVolume]
    /// Items currently `.failed`, per stage of their failure.
    public var failuresByStage: [StageCount]
    /// Items currently `.failed`, per failure reason.
    public var failuresByReason: [Count]
    /// How many items have each field flagged for review.
    public var fieldsNeedingReview: [Count]
    /// Queued or processing items whose due-by has passed, in queue order.
    public var pastDue: [ItemID]
    /// Queued or processing items due within the near-due window, in queue order.
    public var nearDue: [ItemID]
    /// Received → queued, over items that have been queued; nil when none has.
    public var latency: Latency?

    public init(
        documents: Int, files: Int, pages: Int, byLine: [LineVolume], byRoute: [RouteVolume],
        failuresByStage: [StageCount], failuresByReason: [Count], fieldsNeedingReview: [Count],
        pastDue: [ItemID], nearDue: [ItemID], latency: Latency?
    ) {
        self.documents = documents
        self.files = files
        self.pages = pages
        self.byLine = byLine
        self.byRoute = byRoute
        self.failuresByStage = failuresByStage
        self.failuresByReason = failuresByReason
        self.fieldsNeedingReview = fieldsNeedingReview
        self.pastDue = pastDue
        self.nearDue = nearDue
        self.latency = latency
    }

    /// Items and pages that came in on one channel and fax number (nil: mail, or no number known).
    public struct LineVolume: Hashable, Sendable, Codable {
        public var channel: Channel
        public var faxLine: String?
        public var documents: Int
        public var pages: Int

        public init(channel: Channel, faxLine: String?, documents: Int, pages: Int) {
            self.channel = channel
            self.faxLine = faxLine
            self.documents = documents
            self.pages = pages
        }
    }

    /// Items and pages on one route.
    public struct RouteVolume: Hashable, Sendable, Codable {
        public var route: String
        public var documents: Int
        public var pages: Int

        public init(route: String, documents: Int, pages: Int) {
            self.route = route
            self.documents = documents
            self.pages = pages
        }
    }

    /// Failed items at one stage.
    public struct StageCount: Hashable, Sendable, Codable {
        public var stage: PipelineStage
        public var count: Int

        public init(stage: PipelineStage, count: Int) {
            self.stage = stage
            self.count = count
        }
    }

    /// A count under a label (a failure reason, a field name).
    public struct Count: Hashable, Sendable, Codable {
        public var name: String
        public var count: Int

        public init(name: String, count: Int) {
            self.name = name
            self.count = count
        }
    }

    /// Percentiles in seconds, nearest-rank on the sorted values (index `round(p × (n − 1))`).
    public struct Latency: Hashable, Sendable, Codable {
        public var p50: Double
        public var p95: Double
        public var max: Double

        public init(p50: Double, p95: Double, max: Double) {
            self.p50 = p50
            self.p95 = p95
            self.max = max
        }
    }
}
