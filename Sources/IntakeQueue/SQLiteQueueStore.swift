import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The production `QueueStore`: one owner-only SQLite file in WAL mode, shared by every pipeline worker.
public final class SQLiteQueueStore: QueueStore {
    /// The database file's path as given.
    public let path: String
    private let pool: DatabasePool
    private let now: @Sendable () -> Date

    /// Opens (creating if needed) the queue database at `path`.
    ///
    /// The containing directory is created 0700 if missing and must not be group- or
    /// world-accessible if it exists; the database and its -wal/-shm files are made 0600.
    /// - Parameters:
    ///   - busyTimeout: how long to wait for another process's lock before throwing `.locked`.
    ///   - now: the clock for history entries and `queuedAt`; injectable so tests are deterministic.
    public init(
        path: String, busyTimeout: TimeInterval = 5, now: @escaping @Sendable () -> Date = { Date() }
    ) throws(QueueStoreError) {
        self.path = path
        self.now = now
        try Self.prepareOwnerOnlyFiles(databasePath: path)

        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            // FULL, not NORMAL: with WAL, NORMAL can lose the last commits on power loss, and the
            // pipeline archives and deletes the spooled fax once insert returns, so an acknowledged
            // insert must survive a power cut. Intake volume is far too low for the fsync to matter.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw Self.translate(error, path: path)
        }
        // SQLite gives -wal/-shm the database file's mode, but a leftover from a looser setup keeps its own.
        for suffix in ["-wal", "-shm"] {
            try Self.restrictToOwner(file: path + suffix, mustExist: false)
        }
    }

    /// Closes the database; later calls on this store fail with `.database`.
    public func close() throws(QueueStoreError) {
        try run { try pool.close() }
    }

    /// Runs SQLite's full consistency check; true when the database is sound.
    public func integrityCheck() throws(QueueStoreError) -> Bool {
        try run {
            try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"]
        }
    }

    // MARK: QueueStore

    public func insert(_ new: NewItem) throws(QueueStoreError) -> InsertOutcome {
        let sha = try QueueRules.canonicalSHA256(new.sha256)
        let at = now()
        return try run {
            try pool.write { db in
                if let existing = try Self.fetchItem(db, where: "sha256 = ?", [sha]) {
                    return .alreadyPresent(existing)
                }
                // The id is a placeholder until SQLite assigns one; it is not written.
                var item = try QueueRules.newItem(new, id: ItemID(0), now: at)
                // The UNIQUE index, not the check above, is what guarantees one item per file:
                // another process may insert the same file between our check and this statement.
                let columns = Self.mutableColumns.map(\.name) + ["sha256", "received_at", "channel",
                    "fax_line", "caller", "station_id", "source_file_name", "archive_path", "page_count"]
                let values = try Self.mutableValues(item) + [
                    item.sha256, item.receivedAt.timeIntervalSinceReferenceDate, item.channel.rawValue,
                    item.faxLine, item.caller, item.stationID, item.sourceFileName, item.archivePath,
                    item.pageCount,
                ]
                try db.execute(
                    sql: """
                        INSERT INTO queue_item (\(columns.joined(separator: ", ")))
                        VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))
                        ON CONFLICT(sha256) DO NOTHING
                        """,
                    arguments: StatementArguments(values)
                )
                if db.changesCount == 0, let existing = try Self.fetchItem(db, where: "sha256 = ?", [sha]) {
                    return .alreadyPresent(existing)
                }
                item.id = ItemID(db.lastInsertedRowID)
                return .inserted(item)
            }
        }
    }

    public func item(id: ItemID) throws(QueueStoreError) -> QueueItem? {
        try run { try pool.read { db in try Self.fetchItem(db, where: "id = ?", [id.rawValue]) } }
    }

    public func item(sha256: String) throws(QueueStoreError) -> QueueItem? {
        let sha = QueueRules.lookupSHA256(sha256)
        return try run { try pool.read { db in try Self.fetchItem(db, where: "sha256 = ?", [sha]) } }
    }

    public func list(_ filter: ItemFilter) throws(QueueStoreError) -> [QueueItem] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        func add(_ condition: String, _ value: (any DatabaseValueConvertible)?) {
            conditions.append(condition)
            arguments.append(value)
        }
        if let route = filter.route { add("route = ?", route) }
        if let status = filter.status { add("status = ?", status.rawValue) }
        if let channel = filter.channel { add("channel = ?", channel.rawValue) }
        if let since = filter.receivedSince { add("received_at >= ?", since.timeIntervalSinceReferenceDate) }
        if let before = filter.receivedBefore { add("received_at < ?", before.timeIntervalSinceReferenceDate) }
        if let stage = filter.failedStage { add("failed_stage = ?", stage) }
        let whereClause = conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM queue_item WHERE \(whereClause) ORDER BY \(Self.orderClause)"
        return try run {
            try pool.read { db in
                try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.decodeItem)
            }
        }
    }

    public func possibleDuplicate(
        ofKey key: String, serviceDate: Date?, receivedAt: Date,
        within window: TimeInterval, excluding sha256: String
    ) throws(QueueStoreError) -> QueueItem? {
        let at = receivedAt.timeIntervalSinceReferenceDate
        var sql = """
            SELECT * FROM queue_item
            WHERE duplicate_key = ? AND sha256 <> ? AND received_at >= ? AND received_at <= ?
            """
        var arguments: [(any DatabaseValueConvertible)?] = [
            key, QueueRules.lookupSHA256(sha256), at - window, at + window,
        ]
        if let serviceDate {
            sql += " AND service_date = ?"
            arguments.append(serviceDate.timeIntervalSinceReferenceDate)
        }
        sql += " ORDER BY received_at, id LIMIT 1"
        let finalSQL = sql
        return try run {
            try pool.read { db in
                try Row.fetchOne(db, sql: finalSQL, arguments: StatementArguments(arguments)).map(Self.decodeItem)
            }
        }
    }

    public func markFailed(id: ItemID, failure: FailureRecord) throws(QueueStoreError) -> QueueItem {
        try update(id) { (item, at) throws(QueueStoreError) in
            try QueueRules.failing(item, with: failure, now: at)
        }
    }

    public func requeue(id: ItemID, with content: ItemContent, note: String) throws(QueueStoreError) -> QueueItem {
        try update(id) { (item, at) throws(QueueStoreError) in
            try QueueRules.requeueing(item, with: content, note: note, now: at)
        }
    }

    public func setStatus(
        id: ItemID, _ status: ItemStatus, expecting: ItemStatus?, note: String
    ) throws(QueueStoreError) -> QueueItem {
        try update(id) { (item, at) throws(QueueStoreError) in
            try QueueRules.settingStatus(item, to: status, expecting: expecting, note: note, now: at)
        }
    }

    public func counts() throws(QueueStoreError) -> [QueueCount] {
        try run {
            try pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT route, status, COUNT(*) AS n FROM queue_item GROUP BY route, status ORDER BY route, status"
                ).map { row in
                    let rawStatus = try Self.decode(String.self, "status", row, id: nil)
                    guard let status = ItemStatus(rawValue: rawStatus) else {
                        throw QueueStoreError.corruptRow(id: nil, column: "status", reason: "unknown status \"\(rawStatus)\"")
                    }
                    return QueueCount(
                        route: try Self.decode(String.self, "route", row, id: nil),
                        status: status,
                        count: try Self.decode(Int.self, "n", row, id: nil)
                    )
                }
            }
        }
    }

    // MARK: Schema

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: queue_item") { db in
            // Dates are REAL seconds since 2001-01-01 (Foundation's reference date): that is Date's own
            // storage, so values round-trip exactly and compare the same in SQL as in Swift.
            // fields, checkboxes, flags, failure and history are JSON: read whole, never queried inside.
            try db.execute(sql: """
                CREATE TABLE queue_item (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    sha256 TEXT NOT NULL,
                    route TEXT NOT NULL,
                    priority TEXT NOT NULL,
                    due_by REAL,
                    status TEXT NOT NULL,
                    received_at REAL NOT NULL,
                    queued_at REAL,
                    channel TEXT NOT NULL,
                    fax_line TEXT,
                    caller TEXT,
                    station_id TEXT,
                    source_file_name TEXT NOT NULL,
                    archive_path TEXT NOT NULL,
                    page_count INTEGER NOT NULL,
                    form_page INTEGER,
                    form_id TEXT,
                    fields TEXT NOT NULL,
                    checkboxes TEXT NOT NULL,
                    flags TEXT NOT NULL,
                    duplicate_of INTEGER,
                    duplicate_key TEXT,
                    service_date REAL,
                    failure TEXT,
                    failed_stage TEXT,
                    history TEXT NOT NULL
                );
                CREATE UNIQUE INDEX queue_item_sha256 ON queue_item(sha256);
                CREATE INDEX queue_item_route_status ON queue_item(route, status);
                CREATE INDEX queue_item_status ON queue_item(status);
                CREATE INDEX queue_item_priority_due ON queue_item(priority, due_by);
                CREATE INDEX queue_item_received_at ON queue_item(received_at);
                CREATE INDEX queue_item_duplicate_key ON queue_item(duplicate_key, received_at);
                CREATE INDEX queue_item_failed_stage ON queue_item(failed_stage);
                """)
        }
        return migrator
    }

    /// `QueueRules.precedes` in SQL: urgent first, then due date with undated last, then id.
    private static let orderClause =
        "CASE priority WHEN 'urgent' THEN 0 ELSE 1 END, due_by IS NULL, due_by, id"

    /// The columns a state change may rewrite; source columns (sha256, received_at, …) never change.
    private static let mutableColumns: [Column] = [
        "route", "priority", "due_by", "status", "queued_at", "form_page", "form_id", "fields",
        "checkboxes", "flags", "duplicate_of", "duplicate_key", "service_date", "failure",
        "failed_stage", "history",
    ].map { Column($0) }

    private static func mutableValues(_ item: QueueItem) throws(QueueStoreError) -> [(any DatabaseValueConvertible)?] {
        [
            item.route, item.priority.rawValue, item.dueBy?.timeIntervalSinceReferenceDate,
            item.status.rawValue, item.queuedAt?.timeIntervalSinceReferenceDate,
            item.formPage, item.formID,
            try json(item.fields, sha256: item.sha256, column: "fields"),
            try json(item.checkboxes, sha256: item.sha256, column: "checkboxes"),
            try json(item.flags, sha256: item.sha256, column: "flags"),
            item.duplicateOf?.rawValue, item.duplicateKey, item.serviceDate?.timeIntervalSinceReferenceDate,
            try item.failure.map { (failure) throws(QueueStoreError) in try json(failure, sha256: item.sha256, column: "failure") },
            item.failure?.stage,
            try json(item.history, sha256: item.sha256, column: "history"),
        ]
    }

    // MARK: Reading and writing rows

    /// Reads, transforms and writes one item in a single write transaction; nil leaves it unchanged.
    private func update(
        _ id: ItemID, _ transform: (QueueItem, Date) throws(QueueStoreError) -> QueueItem?
    ) throws(QueueStoreError) -> QueueItem {
        let at = now()
        return try run {
            try pool.write { db in
                guard let item = try Self.fetchItem(db, where: "id = ?", [id.rawValue]) else {
                    throw QueueStoreError.notFound(id)
                }
                guard let updated = try transform(item, at) else { return item }
                let assignments = Self.mutableColumns.map { "\($0.name) = ?" }.joined(separator: ", ")
                try db.execute(
                    sql: "UPDATE queue_item SET \(assignments) WHERE id = ?",
                    arguments: StatementArguments(try Self.mutableValues(updated) + [id.rawValue])
                )
                return updated
            }
        }
    }

    private static func fetchItem(
        _ db: Database, where condition: String, _ arguments: StatementArguments
    ) throws -> QueueItem? {
        try Row.fetchOne(db, sql: "SELECT * FROM queue_item WHERE \(condition)", arguments: arguments)
            .map(decodeItem)
    }

    private static func decodeItem(_ row: Row) throws(QueueStoreError) -> QueueItem {
        let id = ItemID(try decode(Int64.self, "id", row, id: nil))
        func value<T: DatabaseValueConvertible>(_ column: String, as type: T.Type = T.self) throws(QueueStoreError) -> T {
            try decode(type, column, row, id: id)
        }
        func date(_ column: String) throws(QueueStoreError) -> Date? {
            try value(column, as: Double?.self).map(Date.init(timeIntervalSinceReferenceDate:))
        }
        func enumValue<E: RawRepresentable<String>>(_ column: String, as type: E.Type) throws(QueueStoreError) -> E {
            let raw: String = try value(column)
            guard let decoded = E(rawValue: raw) else {
                throw .corruptRow(id: id, column: column, reason: "unknown value \"\(raw)\"")
            }
            return decoded
        }
        func fromJSON<T: Decodable>(_ column: String, as type: T.Type) throws(QueueStoreError) -> T {
            let text: String = try value(column)
            do {
                return try JSONDecoder().decode(type, from: Data(text.utf8))
            } catch {
                throw .corruptRow(id: id, column: column, reason: "\(error)")
            }
        }
        let failureJSON: String? = try value("failure")
        return QueueItem(
            id: id,
            route: try value("route"),
            priority: try enumValue("priority", as: Priority.self),
            dueBy: try date("due_by"),
            status: try enumValue("status", as: ItemStatus.self),
            receivedAt: Date(timeIntervalSinceReferenceDate: try value("received_at", as: Double.self)),
            queuedAt: try date("queued_at"),
            channel: try enumValue("channel", as: Channel.self),
            faxLine: try value("fax_line"),
            caller: try value("caller"),
            stationID: try value("station_id"),
            sourceFileName: try value("source_file_name"),
            sha256: try value("sha256"),
            archivePath: try value("archive_path"),
            pageCount: try value("page_count"),
            formPage: try value("form_page"),
            formID: try value("form_id"),
            fields: try fromJSON("fields", as: [String: StoredField].self),
            checkboxes: try fromJSON("checkboxes", as: [String: StoredCheckboxGroup].self),
            flags: try fromJSON("flags", as: [ItemFlag].self),
            duplicateOf: try value("duplicate_of", as: Int64?.self).map(ItemID.init),
            duplicateKey: try value("duplicate_key"),
            serviceDate: try date("service_date"),
            failure: failureJSON == nil ? nil : try fromJSON("failure", as: FailureRecord.self),
            history: try fromJSON("history", as: [HistoryEntry].self)
        )
    }

    private static func decode<T: DatabaseValueConvertible>(
        _ type: T.Type, _ column: String, _ row: Row, id: ItemID?
    ) throws(QueueStoreError) -> T {
        do {
            return try row.decode(type, forColumn: column)
        } catch {
            throw .corruptRow(id: id, column: column, reason: "\(error)")
        }
    }

    private static func json<T: Encodable>(_ value: T, sha256: String, column: String) throws(QueueStoreError) -> String {
        let encoder = JSONEncoder()
        // Stable key order keeps rows diffable and byte-identical for identical content.
        encoder.outputFormatting = [.sortedKeys]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .invalidItem(sha256: sha256, reason: "\(column) cannot be stored as JSON: \(error)")
        }
    }

    // MARK: Errors

    private func run<T>(_ body: () throws -> T) throws(QueueStoreError) -> T {
        do {
            return try body()
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    private static func translate(_ error: any Error, path: String) -> QueueStoreError {
        if let error = error as? QueueStoreError {
            return error
        }
        if let error = error as? DatabaseError {
            if error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                return .locked(path: path)
            }
            return .database(path: path, message: error.description)
        }
        return .database(path: path, message: "\(error)")
    }

    // MARK: File permissions

    /// The queue holds PHI, so nothing it writes may be readable by other local users.
    private static func prepareOwnerOnlyFiles(databasePath: String) throws(QueueStoreError) {
        let directory = URL(fileURLWithPath: databasePath).deletingLastPathComponent().path
        var info = stat()
        if stat(directory, &info) != 0 {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700]
                )
            } catch {
                throw .fileSystem(path: directory, operation: "create directory", reason: "\(error)")
            }
            // The umask may have narrowed the mode further than asked; set it exactly.
            try restrictToOwner(file: directory, mode: 0o700, mustExist: true)
            guard stat(directory, &info) == 0 else {
                throw .fileSystem(path: directory, operation: "inspect", reason: errnoDescription())
            }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .fileSystem(path: directory, operation: "use as the queue directory", reason: "it is not a directory")
        }
        let permissions = UInt16(info.st_mode & 0o777)
        if permissions & 0o077 != 0 {
            throw .insecureDirectory(path: directory, mode: permissions)
        }

        // Creating the file ourselves with 0600 before SQLite does means it never exists with a
        // wider mode, and SQLite then gives -wal and -shm the same mode.
        let descriptor = open(databasePath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .fileSystem(path: databasePath, operation: "create", reason: errnoDescription())
        }
        closeDescriptor(descriptor)
        // An existing database from before this rule may be wider; tighten it.
        try restrictToOwner(file: databasePath, mustExist: true)
    }

    private static func restrictToOwner(file: String, mode: mode_t = 0o600, mustExist: Bool) throws(QueueStoreError) {
        if chmod(file, mode) != 0 {
            if errno == ENOENT, !mustExist { return }
            throw .fileSystem(path: file, operation: "restrict permissions of", reason: errnoDescription())
        }
    }

    private static func closeDescriptor(_ descriptor: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(descriptor)
        #else
        _ = Darwin.close(descriptor)
        #endif
    }

    private static func errnoDescription() -> String {
        String(cString: strerror(errno))
    }
}

// Internal hooks for IntakeQueueTests: they need a second raw connection, and the test target
// depends on IntakeQueue only (not GRDB) in the main package.
extension SQLiteQueueStore {
    /// Runs `body` while this store's writer connection holds an EXCLUSIVE transaction, then rolls it back.
    func whileHoldingExclusiveLock<T>(_ body: () throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            defer { try? db.execute(sql: "ROLLBACK") }
            return try body()
        }
    }

    /// Executes SQL the public API would refuse to, e.g. to plant a damaged row.
    func executeUnchecked(sql: String) throws {
        try pool.writeWithoutTransaction { db in try db.execute(sql: sql) }
    }
}
