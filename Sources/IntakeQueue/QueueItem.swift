import Foundation

/// Identifies one queue item; assigned by the store and stable across reprocessing.
public struct ItemID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64

    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static func < (lhs: ItemID, rhs: ItemID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}

/// Where an item is in its life: waiting, failed in the pipeline, claimed by a worker, or worked.
public enum ItemStatus: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    case queued
    case failed
    /// Claimed by a worker; not yet done.
    case processing
    /// Worked by a reviewer.
    case done
    /// Every flagged field settled by a person in the console; the reading is now trusted.
    case verified

    public var description: String { rawValue }
}

/// How soon Utilization Management must act on a request; urgent items sort first.
public enum Priority: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    case urgent
    case standard

    /// Lower sorts first. The store's SQL ordering is generated from this, so it is the single definition of queue order.
    var sortRank: Int {
        switch self {
        case .urgent: 0
        case .standard: 1
        }
    }

    public var description: String { rawValue }
}

/// How the document reached the health plan.
public enum Channel: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    case fax
    case mail

    public var description: String { rawValue }
}

/// One extracted form field as read, normalized and validated.
public struct StoredField: Hashable, Sendable, Codable {
    public var value: String
    public var normalized: String
    public var confidence: Double
    public var valid: Bool
    public var needsReview: Bool
    public var issues: [String]

    public init(
        value: String, normalized: String, confidence: Double,
        valid: Bool, needsReview: Bool, issues: [String] = []
    ) {
        self.value = value
        self.normalized = normalized
        self.confidence = confidence
        self.valid = valid
        self.needsReview = needsReview
        self.issues = issues
    }
}

/// One extracted checkbox group: the options read as ticked.
public struct StoredCheckboxGroup: Hashable, Sendable, Codable {
    public var selected: [String]
    public var confidence: Double
    public var needsReview: Bool

    public init(selected: [String], confidence: Double, needsReview: Bool) {
        self.selected = selected
        self.confidence = confidence
        self.needsReview = needsReview
    }
}

/// A reviewer-facing warning on an item; open-ended so the pipeline can add flags without a schema change.
public struct ItemFlag: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// The fax line dialled and the form's content point at different routes.
    public static let routeConflict = ItemFlag(rawValue: "route_conflict")
    /// Another item has the same member, procedure codes and service date.
    public static let possibleDuplicate = ItemFlag(rawValue: "possible_duplicate")
    /// The fax arrived on a line that is not configured.
    public static let unknownLine = ItemFlag(rawValue: "unknown_line")

    // Written out so the JSON is a bare string whatever the compiler would synthesize.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

/// Why and where the pipeline gave up on an item, and whether retrying could help.
public struct FailureRecord: Hashable, Sendable, Codable {
    /// The pipeline stage that failed.
    public var stage: PipelineStage
    public var reason: String
    public var attempts: Int
    public var lastAttemptAt: Date
    /// True when retrying cannot help (e.g. an encrypted PDF); reprocessing should skip it.
    public var permanent: Bool

    public init(stage: PipelineStage, reason: String, attempts: Int, lastAttemptAt: Date, permanent: Bool) {
        self.stage = stage
        self.reason = reason
        self.attempts = attempts
        self.lastAttemptAt = lastAttemptAt
        self.permanent = permanent
    }
}

/// One state change of an item, kept forever for audit.
public struct HistoryEntry: Hashable, Sendable, Codable {
    public var at: Date
    public var status: ItemStatus
    public var note: String

    public init(at: Date, status: ItemStatus, note: String) {
        self.at = at
        self.status = status
        self.note = note
    }
}

/// The pages of the original file that make up one request: 1-based, both ends included.
///
/// In JSON it is the two-element array `[first, last]`, short enough for listings.
public struct PageRange: Hashable, Sendable, Codable, CustomStringConvertible {
    public var first: Int
    public var last: Int

    public init(first: Int, last: Int) {
        self.first = first
        self.last = last
    }

    /// True when `page` (1-based) lies inside the range.
    public func contains(_ page: Int) -> Bool {
        first <= page && page <= last
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        first = try container.decode(Int.self)
        last = try container.decode(Int.self)
        guard container.isAtEnd else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a page range is [first, last], two numbers only")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(first)
        try container.encode(last)
    }

    public var description: String { first == last ? "p.\(first)" : "pp.\(first)-\(last)" }
}

/// Whether the member a request names is on the plan's roster and covered on the service date.
public enum MemberStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case eligible
    case notEligible = "not_eligible"
    case notFound = "not_found"
}

/// What the member roster concluded about a request's member (no name or id: those are its fields).
public struct MemberCheck: Hashable, Sendable, Codable {
    public var status: MemberStatus
    public var plan: String?
    /// `YYYY-MM-DD`; nil end = open coverage.
    public var coverageStart: String?
    public var coverageEnd: String?

    public init(status: MemberStatus, plan: String? = nil, coverageStart: String? = nil, coverageEnd: String? = nil) {
        self.status = status
        self.plan = plan
        self.coverageStart = coverageStart
        self.coverageEnd = coverageEnd
    }

    enum CodingKeys: String, CodingKey {
        case status, plan
        case coverageStart = "coverage_start"
        case coverageEnd = "coverage_end"
    }
}

/// The servicing provider's network status in the plan's directory.
public enum NetworkStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case `in`
    case out
    /// The NPI was not read, or is not in the directory.
    case unknown
}

/// What the provider directory concluded about a request's servicing provider.
public struct ProviderNetworkCheck: Hashable, Sendable, Codable {
    public var network: NetworkStatus

    public init(network: NetworkStatus) {
        self.network = network
    }
}

/// The sender's header line at the top of a received fax page (TTI): what it says, and the fax number in it.
public struct FaxHeader: Hashable, Sendable, Codable {
    /// The line as read.
    public var text: String
    /// The first fax number in it, digits only; often the sender's own number when the sidecar has none.
    public var faxNumber: String?

    public init(text: String, faxNumber: String?) {
        self.text = text
        self.faxNumber = faxNumber
    }

    enum CodingKeys: String, CodingKey {
        case text
        case faxNumber = "fax_number"
    }
}

/// What reprocessing a document recomputes; `requeue` replaces exactly these on an existing item.
public struct ItemContent: Hashable, Sendable, Codable {
    /// "elective", "emergency_inpatient", "snf", "unrouted", or another configured route.
    public var route: String
    public var priority: Priority
    public var dueBy: Date?
    /// The 1-based page of the request form in the original file; nil when no form was found.
    ///
    /// With the file's SHA-256 it identifies the request: one file holds at most one item per form page
    /// (and one without a form).
    public var formPage: Int?
    public var formID: String?
    public var fields: [String: StoredField]
    public var checkboxes: [String: StoredCheckboxGroup]
    public var flags: [ItemFlag]
    public var duplicateOf: ItemID?
    /// Opaque, already-hashed key from member ID and procedure codes (PHI-derived: never store it raw).
    public var duplicateKey: String?
    public var serviceDate: Date?
    /// The roster's word on the member; nil when no roster is configured or nothing was read.
    public var member: MemberCheck?
    /// The directory's word on the servicing provider; nil when no directory is configured.
    public var servicingProvider: ProviderNetworkCheck?
    /// The sender's header line on the fax's first page, when it has one.
    public var header: FaxHeader?

    public init(
        route: String, priority: Priority, dueBy: Date? = nil,
        formPage: Int? = nil, formID: String? = nil,
        fields: [String: StoredField] = [:], checkboxes: [String: StoredCheckboxGroup] = [:],
        flags: [ItemFlag] = [], duplicateOf: ItemID? = nil,
        duplicateKey: String? = nil, serviceDate: Date? = nil,
        member: MemberCheck? = nil, servicingProvider: ProviderNetworkCheck? = nil, header: FaxHeader? = nil
    ) {
        self.header = header
        self.member = member
        self.servicingProvider = servicingProvider
        self.route = route
        self.priority = priority
        self.dueBy = dueBy
        self.formPage = formPage
        self.formID = formID
        self.fields = fields
        self.checkboxes = checkboxes
        self.flags = flags
        self.duplicateOf = duplicateOf
        self.duplicateKey = duplicateKey
        self.serviceDate = serviceDate
    }
}

/// What the pipeline submits for one request in a received document; the store assigns the id and starts the history.
///
/// A file holding several request forms is submitted as several `NewItem`s with the same SHA-256.
public struct NewItem: Hashable, Sendable, Codable {
    /// Lowercase hex SHA-256 of the received file (uppercase is accepted and lowered); with
    /// `content.formPage` it is the idempotency key.
    public var sha256: String
    public var receivedAt: Date
    public var channel: Channel
    public var faxLine: String?
    public var caller: String?
    public var stationID: String?
    public var sourceFileName: String
    public var archivePath: String
    /// Pages in the whole file.
    public var pageCount: Int
    /// This request's pages within the file; nil for a failed item that never got pages.
    public var pageRange: PageRange?
    public var content: ItemContent
    /// `.queued` or `.failed`; a failed item must carry `failure`, a queued one must not.
    public var status: ItemStatus
    public var failure: FailureRecord?

    public init(
        sha256: String, receivedAt: Date, channel: Channel,
        faxLine: String? = nil, caller: String? = nil, stationID: String? = nil,
        sourceFileName: String, archivePath: String, pageCount: Int, pageRange: PageRange? = nil,
        content: ItemContent, status: ItemStatus = .queued, failure: FailureRecord? = nil
    ) {
        self.sha256 = sha256
        self.receivedAt = receivedAt
        self.channel = channel
        self.faxLine = faxLine
        self.caller = caller
        self.stationID = stationID
        self.sourceFileName = sourceFileName
        self.archivePath = archivePath
        self.pageCount = pageCount
        self.pageRange = pageRange
        self.content = content
        self.status = status
        self.failure = failure
    }
}

/// One routed, structured prior-authorization request as stored in the queue.
///
/// Its `Codable` form is both the `queue_item` row (see QueueItem+Record.swift) and the JSON of
/// `faxintake queue show --json` (see QueueItem+Coding.swift).
public struct QueueItem: Hashable, Sendable, Codable, Identifiable {
    public var id: ItemID
    public var route: String
    public var priority: Priority
    public var dueBy: Date?
    public var status: ItemStatus
    public var receivedAt: Date
    /// When the item last entered `.queued`; nil if it never has.
    public var queuedAt: Date?
    public var channel: Channel
    public var faxLine: String?
    public var caller: String?
    public var stationID: String?
    public var sourceFileName: String
    public var sha256: String
    public var archivePath: String
    /// Pages in the whole file, shared by every item from it.
    public var pageCount: Int
    /// This request's pages within the file; nil for a failed item that never got pages.
    public var pageRange: PageRange?
    /// The 1-based page of the request form in the original file; nil when no form was found.
    public var formPage: Int?
    public var formID: String?
    public var fields: [String: StoredField]
    public var checkboxes: [String: StoredCheckboxGroup]
    public var flags: [ItemFlag]
    public var duplicateOf: ItemID?
    /// Opaque, already-hashed key from member ID and procedure codes (PHI-derived: never store it raw).
    public var duplicateKey: String?
    public var serviceDate: Date?
    public var member: MemberCheck?
    public var servicingProvider: ProviderNetworkCheck?
    public var header: FaxHeader?
    /// Present exactly while `status == .failed`, and kept when a failed item is marked done by hand.
    public var failure: FailureRecord?
    public var history: [HistoryEntry]

    public init(
        id: ItemID, route: String, priority: Priority, dueBy: Date?, status: ItemStatus,
        receivedAt: Date, queuedAt: Date?, channel: Channel,
        faxLine: String?, caller: String?, stationID: String?,
        sourceFileName: String, sha256: String, archivePath: String,
        pageCount: Int, pageRange: PageRange? = nil, formPage: Int?, formID: String?,
        fields: [String: StoredField], checkboxes: [String: StoredCheckboxGroup],
        flags: [ItemFlag], duplicateOf: ItemID?, duplicateKey: String?, serviceDate: Date?,
        member: MemberCheck? = nil, servicingProvider: ProviderNetworkCheck? = nil, header: FaxHeader? = nil,
        failure: FailureRecord?, history: [HistoryEntry]
    ) {
        self.header = header
        self.member = member
        self.servicingProvider = servicingProvider
        self.id = id
        self.route = route
        self.priority = priority
        self.dueBy = dueBy
        self.status = status
        self.receivedAt = receivedAt
        self.queuedAt = queuedAt
        self.channel = channel
        self.faxLine = faxLine
        self.caller = caller
        self.stationID = stationID
        self.sourceFileName = sourceFileName
        self.sha256 = sha256
        self.archivePath = archivePath
        self.pageCount = pageCount
        self.pageRange = pageRange
        self.formPage = formPage
        self.formID = formID
        self.fields = fields
        self.checkboxes = checkboxes
        self.flags = flags
        self.duplicateOf = duplicateOf
        self.duplicateKey = duplicateKey
        self.serviceDate = serviceDate
        self.failure = failure
        self.history = history
    }

    /// The reprocessable part of this item, as `requeue` would replace it.
    public var content: ItemContent {
        get {
            ItemContent(
                route: route, priority: priority, dueBy: dueBy, formPage: formPage, formID: formID,
                fields: fields, checkboxes: checkboxes, flags: flags, duplicateOf: duplicateOf,
                duplicateKey: duplicateKey, serviceDate: serviceDate,
                member: member, servicingProvider: servicingProvider, header: header
            )
        }
        set {
            route = newValue.route
            priority = newValue.priority
            dueBy = newValue.dueBy
            formPage = newValue.formPage
            formID = newValue.formID
            fields = newValue.fields
            checkboxes = newValue.checkboxes
            flags = newValue.flags
            duplicateOf = newValue.duplicateOf
            duplicateKey = newValue.duplicateKey
            serviceDate = newValue.serviceDate
            member = newValue.member
            servicingProvider = newValue.servicingProvider
            header = newValue.header
        }
    }

    /// The request's place in its file for the uniqueness rule: the form page, or 0 when there is none.
    var requestPage: Int { formPage ?? 0 }
}
