import Foundation
import GRDB

/// `QueueItem` is the `queue_item` row, through its `Codable` conformance (QueueItem+Coding.swift).
///
/// The on-disk formats are the ones the v1 schema chose, so existing databases read unchanged:
/// dates are REAL seconds since 2001-01-01 (Date's own storage, so values round-trip exactly and
/// compare the same in SQL as in Swift), enums their raw strings, and fields, checkboxes, flags,
/// failure and history JSON text with sorted keys.
extension QueueItem: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "queue_item"

    public static var databaseEncodingUserInfo: [CodingUserInfoKey: Any] { [tableLayout: true] }
    public static var databaseDecodingUserInfo: [CodingUserInfoKey: Any] { [tableLayout: true] }

    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .timeIntervalSinceReferenceDate
    }

    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .timeIntervalSinceReferenceDate
    }

    // GRDB's default JSON coders use milliseconds since 1970 for dates; the stored JSON (history,
    // failure) has always used Foundation's default, seconds since 2001, so these are plain coders.
    public static func databaseJSONEncoder(for column: String) -> JSONEncoder {
        let encoder = JSONEncoder()
        // Stable key order keeps rows diffable and byte-identical for identical content.
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .deferredToDate
        encoder.nonConformingFloatEncodingStrategy = .throw
        return encoder
    }

    public static func databaseJSONDecoder(for column: String) -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .deferredToDate
        return decoder
    }

    /// The table's columns, for GRDB's query interface.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let route = Column(CodingKeys.route)
        public static let priority = Column(CodingKeys.priority)
        public static let dueBy = Column(CodingKeys.dueBy)
        public static let status = Column(CodingKeys.status)
        public static let receivedAt = Column(CodingKeys.receivedAt)
        public static let queuedAt = Column(CodingKeys.queuedAt)
        public static let channel = Column(CodingKeys.channel)
        public static let faxLine = Column(CodingKeys.faxLine)
        public static let sha256 = Column(CodingKeys.sha256)
        public static let pageCount = Column(CodingKeys.pageCount)
        public static let pageFirst = Column(CodingKeys.pageFirst)
        public static let pageLast = Column(CodingKeys.pageLast)
        public static let formPage = Column(CodingKeys.formPage)
        public static let formID = Column(CodingKeys.formID)
        public static let requestPage = Column(CodingKeys.requestPage)
        public static let fields = Column(CodingKeys.fields)
        public static let checkboxes = Column(CodingKeys.checkboxes)
        public static let flags = Column(CodingKeys.flags)
        public static let duplicateOf = Column(CodingKeys.duplicateOf)
        public static let duplicateKey = Column(CodingKeys.duplicateKey)
        public static let serviceDate = Column(CodingKeys.serviceDate)
        public static let member = Column(CodingKeys.member)
        public static let servicingProvider = Column(CodingKeys.servicingProvider)
        public static let header = Column(CodingKeys.header)
        public static let failure = Column(CodingKeys.failure)
        public static let failedStage = Column(CodingKeys.failedStage)
        public static let history = Column(CodingKeys.history)

        /// What a state change or requeue may rewrite; the source columns (sha256, received_at, …) never change.
        /// The page count may: a file that failed before its pages were counted stored 0.
        public static let mutable: [Column] = [
            route, priority, dueBy, status, queuedAt, pageCount, pageFirst, pageLast, formPage, formID, requestPage,
            fields, checkboxes, flags, duplicateOf, duplicateKey, serviceDate, member, servicingProvider, header, failure, failedStage, history,
        ]
    }
}
