import Foundation

// One Codable conformance serves two layouts, told apart by the encoder's userInfo:
// - the `queue_item` row (GRDB sets `tableLayout`): the page range as `page_first`/`page_last`, plus
//   `request_page` and `failed_stage`, derived columns that exist for the unique index and for SQL;
// - everything else (the CLI's JSON): `page_range` as `[first, last]` and no derived keys.
// Keys are snake_case so the columns keep their names and the CLI's snake-case JSON keeps its keys.
extension QueueItem {
    enum CodingKeys: String, CodingKey {
        case id, route, priority
        case dueBy = "due_by"
        case status
        case receivedAt = "received_at"
        case queuedAt = "queued_at"
        case channel
        case faxLine = "fax_line"
        case caller
        case stationID = "station_id"
        case sourceFileName = "source_file_name"
        case sha256
        case archivePath = "archive_path"
        case pageCount = "page_count"
        case pageRange = "page_range"
        case formPage = "form_page"
        case formID = "form_id"
        case fields, checkboxes, flags
        case duplicateOf = "duplicate_of"
        case duplicateKey = "duplicate_key"
        case serviceDate = "service_date"
        case member
        case servicingProvider = "servicing_provider"
        case header
        case failure, history
        // Table layout only.
        case pageFirst = "page_first"
        case pageLast = "page_last"
        case requestPage = "request_page"
        case failedStage = "failed_stage"
    }

    /// Set to `true` in an encoder's or decoder's userInfo to use the `queue_item` row layout.
    static let tableLayout = CodingUserInfoKey(rawValue: "FaxIntake.QueueItem.tableLayout")!

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let id: ItemID
        do {
            id = try container.decode(ItemID.self, forKey: .id)
        } catch {
            throw ColumnDecodingError(id: nil, column: CodingKeys.id.stringValue, reason: "\(error)")
        }
        let read = ColumnReader(container: container, id: id)
        let pageRange: PageRange?
        if decoder.userInfo[Self.tableLayout] as? Bool == true {
            let first: Int? = try read.optional(.pageFirst)
            let last: Int? = try read.optional(.pageLast)
            pageRange = first.flatMap { first in last.map { PageRange(first: first, last: $0) } }
        } else {
            pageRange = try read.optional(.pageRange)
        }
        self.init(
            id: id,
            route: try read.value(.route),
            priority: try read.enumValue(.priority),
            dueBy: try read.optional(.dueBy),
            status: try read.enumValue(.status),
            receivedAt: try read.value(.receivedAt),
            queuedAt: try read.optional(.queuedAt),
            channel: try read.enumValue(.channel),
            faxLine: try read.optional(.faxLine),
            caller: try read.optional(.caller),
            stationID: try read.optional(.stationID),
            sourceFileName: try read.value(.sourceFileName),
            sha256: try read.value(.sha256),
            archivePath: try read.value(.archivePath),
            pageCount: try read.value(.pageCount),
            pageRange: pageRange,
            formPage: try read.optional(.formPage),
            formID: try read.optional(.formID),
            fields: try read.value(.fields),
            checkboxes: try read.value(.checkboxes),
            flags: try read.value(.flags),
            duplicateOf: try read.optional(.duplicateOf),
            duplicateKey: try read.optional(.duplicateKey),
            serviceDate: try read.optional(.serviceDate),
            member: try read.optional(.member),
            servicingProvider: try read.optional(.servicingProvider),
            header: try read.optional(.header),
            failure: try read.optional(.failure),
            history: try read.value(.history)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let tableLayout = encoder.userInfo[Self.tableLayout] as? Bool == true
        // A new row's id is the placeholder 0 until SQLite assigns one, so it is left out of the INSERT.
        if !tableLayout || id.rawValue != 0 {
            try container.encode(id, forKey: .id)
        }
        try container.encode(route, forKey: .route)
        try container.encode(priority, forKey: .priority)
        try container.encodeIfPresent(dueBy, forKey: .dueBy)
        try container.encode(status, forKey: .status)
        try container.encode(receivedAt, forKey: .receivedAt)
        try container.encodeIfPresent(queuedAt, forKey: .queuedAt)
        try container.encode(channel, forKey: .channel)
        try container.encodeIfPresent(faxLine, forKey: .faxLine)
        try container.encodeIfPresent(caller, forKey: .caller)
        try container.encodeIfPresent(stationID, forKey: .stationID)
        try container.encode(sourceFileName, forKey: .sourceFileName)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(archivePath, forKey: .archivePath)
        try container.encode(pageCount, forKey: .pageCount)
        if tableLayout {
            try container.encodeIfPresent(pageRange?.first, forKey: .pageFirst)
            try container.encodeIfPresent(pageRange?.last, forKey: .pageLast)
            try container.encode(requestPage, forKey: .requestPage)
            try container.encodeIfPresent(failure?.stage, forKey: .failedStage)
        } else {
            try container.encodeIfPresent(pageRange, forKey: .pageRange)
        }
        try container.encodeIfPresent(formPage, forKey: .formPage)
        try container.encodeIfPresent(formID, forKey: .formID)
        try container.encode(fields, forKey: .fields)
        try container.encode(checkboxes, forKey: .checkboxes)
        try container.encode(flags, forKey: .flags)
        try container.encodeIfPresent(duplicateOf, forKey: .duplicateOf)
        try container.encodeIfPresent(duplicateKey, forKey: .duplicateKey)
        try container.encodeIfPresent(serviceDate, forKey: .serviceDate)
        try container.encodeIfPresent(member, forKey: .member)
        try container.encodeIfPresent(servicingProvider, forKey: .servicingProvider)
        try container.encodeIfPresent(header, forKey: .header)
        try container.encodeIfPresent(failure, forKey: .failure)
        try container.encode(history, forKey: .history)
    }
}

/// A stored value that could not be read back; the store reports it as `QueueStoreError.corruptRow`.
struct ColumnDecodingError: Error {
    var id: ItemID?
    var column: String
    var reason: String
}

/// Decodes one key at a time so a failure names its column and item, whatever layer (GRDB, JSON) failed.
private struct ColumnReader {
    let container: KeyedDecodingContainer<QueueItem.CodingKeys>
    let id: ItemID

    func value<T: Decodable>(_ key: QueueItem.CodingKeys) throws -> T {
        do {
            return try container.decode(T.self, forKey: key)
        } catch {
            throw ColumnDecodingError(id: id, column: key.stringValue, reason: "\(error)")
        }
    }

    func optional<T: Decodable>(_ key: QueueItem.CodingKeys) throws -> T? {
        do {
            return try container.decodeIfPresent(T.self, forKey: key)
        } catch {
            throw ColumnDecodingError(id: id, column: key.stringValue, reason: "\(error)")
        }
    }

    /// Read as text first, so an unknown value (a newer version's status, a hand edit) is reported as such.
    func enumValue<E: RawRepresentable<String>>(_ key: QueueItem.CodingKeys) throws -> E {
        let raw: String = try value(key)
        guard let decoded = E(rawValue: raw) else {
            throw ColumnDecodingError(id: id, column: key.stringValue, reason: "unknown value \"\(raw)\"")
        }
        return decoded
    }
}
