import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `QueueStore`: one owner-only SQLite file in WAL mode shared by every pipeline worker, or an
/// in-memory SQLite database for tests and dry runs (`inMemory(now:)`), so both behave alike by construction.
public final class SQLiteQueueStore: QueueStore {
    /// The database file's path as given, or ":memory:".
    public let path: String
    let writer: any DatabaseWriter
    private let now: @Sendable () -> Date

    /// Opens (creating if needed) the queue database at `path`, migrating it to the current schema.
    ///
    /// The containing directory is created 0700 if missing and must not be group- or
    /// world-accessible if it exists; the database and its -wal/-shm files are made 0600.
    /// - Parameters:
    ///   - busyTimeout: how long to wait for another process's lock before throwing `.locked`.
    ///   - now: the clock for history entries and `queuedAt`; injectable so tests are deterministic.
    public convenience init(
        path: String, busyTimeout: TimeInterval = 5, now: @escaping @Sendable () -> Date = { Date() }
    ) throws(QueueStoreError) {
        try Self.prepareOwnerOnlyFiles(databasePath: path)

        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            // FULL, not NORMAL: with WAL, NORMAL can lose the last commits on power loss, and the
            // pipeline archives and deletes the spooled fax once insert returns, so an acknowledged
            // insert must survive a power cut. Intake volume is far too low for the fsync to matter.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.translate(error, path: path)
        }
        try self.init(writer: pool, path: path, now: now)
        // SQLite gives -wal/-shm the database file's mode, but a leftover from a looser setup keeps its own.
        for suffix in ["-wal", "-shm"] {
            try Self.restrictToOwner(file: path + suffix, mustExist: false)
        }
    }

    /// A store in a private in-memory SQLite database, gone when the store is.
    ///
    /// Traps if SQLite cannot create an empty database in memory: that means the process is out of
    /// memory or SQLite is broken, and no caller could do anything sensible about either.
    public static func inMemory(now: @escaping @Sendable () -> Date = { Date() }) -> SQLiteQueueStore {
        do {
            return try SQLiteQueueStore(writer: DatabaseQueue(), path: ":memory:", now: now)
        } catch {
            fatalError("cannot create an in-memory queue database: \(error)")
        }
    }

    private init(writer: any DatabaseWriter, path: String, now: @escaping @Sendable () -> Date) throws(QueueStoreError) {
        self.writer = writer
        self.path = path
        self.now = now
        do {
            try Self.migrator.migrate(writer)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// Closes the database; later calls on this store fail with `.database`.
    public func close() throws(QueueStoreError) {
        try run { try writer.close() }
    }

    /// Runs SQLite's full consistency check; true when the database is sound.
    public func integrityCheck() throws(QueueStoreError) -> Bool {
        try run {
            try writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"]
        }
    }

    // MARK: QueueStore

    public func insert(_ items: [NewItem]) throws(QueueStoreError) -> [InsertOutcome] {
        let at = now()
        // One transaction for the whole file: a refused request rolls back the ones before it.
        return try run { try writer.write { db in try Self.insert(items, db, now: at) } }
    }

    public func item(id: ItemID) throws(QueueStoreError) -> QueueItem? {
        try run { try writer.read { db in try QueueItem.fetchOne(db, key: id.rawValue) } }
    }

    public func items(sha256: String) throws(QueueStoreError) -> [QueueItem] {
        let sha = QueueRules.lookupSHA256(sha256)
        return try run {
            try writer.read { db in
                try QueueItem
                    .filter(Columns.sha256 == sha)
                    .order(Columns.requestPage, Columns.id)
                    .fetchAll(db)
            }
        }
    }

    public func list(_ filter: ItemFilter) throws(QueueStoreError) -> [QueueItem] {
        var request = QueueItem.all()
        if let route = filter.route { request = request.filter(Columns.route == route) }
        if let status = filter.status { request = request.filter(Columns.status == status.rawValue) }
        if let channel = filter.channel { request = request.filter(Columns.channel == channel.rawValue) }
        request = Self.received(request, from: filter.receivedSince, before: filter.receivedBefore)
        if let stage = filter.failedStage { request = request.filter(Columns.failedStage == stage.rawValue) }
        let ordered = request.order(Self.queueOrder)
        return try run { try writer.read { db in try ordered.fetchAll(db) } }
    }

    public func possibleDuplicate(
        ofKey key: String, serviceDate: Date?, receivedAt: Date,
        within window: TimeInterval, excluding sha256: String
    ) throws(QueueStoreError) -> QueueItem? {
        // Dates are compared as their stored REAL, never bound as Date (GRDB would bind text).
        let at = receivedAt.timeIntervalSinceReferenceDate
        var request = QueueItem
            .filter(Columns.duplicateKey == key)
            .filter(Columns.sha256 != QueueRules.lookupSHA256(sha256))
            .filter(Columns.receivedAt >= at - window && Columns.receivedAt <= at + window)
        if let serviceDate {
            request = request.filter(Columns.serviceDate == serviceDate.timeIntervalSinceReferenceDate)
        }
        let earliest = request.order(Columns.receivedAt, Columns.id)
        return try run { try writer.read { db in try earliest.fetchOne(db) } }
    }

    public func markFailed(id: ItemID, failure: FailureRecord) throws(QueueStoreError) -> QueueItem {
        try update(id) { (item, at) throws(QueueStoreError) in
            try QueueRules.failing(item, with: failure, now: at)
        }
    }

    public func requeue(
        id: ItemID, with content: ItemContent, pageRange: PageRange?, pageCount: Int?, note: String, adding: [NewItem]
    ) throws(QueueStoreError) -> [QueueItem] {
        let at = now()
        return try run {
            try writer.write { db in
                guard let item = try QueueItem.fetchOne(db, key: id.rawValue) else {
                    throw QueueStoreError.notFound(id)
                }
                for new in adding where try QueueRules.canonicalSHA256(new.sha256) != item.sha256 {
                    throw QueueStoreError.invalidItem(
                        sha256: new.sha256,
                        reason: "requeueing item \(id) can only add requests of its own file \(item.sha256)"
                    )
                }
                guard let updated = try QueueRules.requeueing(item, with: content, pageRange: pageRange, pageCount: pageCount,
                                                              note: note, now: at) else {
                    // Already queued: a repeat of a requeue that succeeded, which added these in the same transaction.
                    let added = try adding.compactMap { new in
                        try Self.stored(sha256: item.sha256, requestPage: new.content.formPage ?? 0, db)
                    }
                    return [item] + added
                }
                if updated.requestPage != item.requestPage,
                   let holder = try Self.stored(sha256: item.sha256, requestPage: updated.requestPage, db) {
                    throw QueueStoreError.invalidItem(
                        sha256: item.sha256,
                        reason: "item \(holder.id) already holds the request on page \(updated.requestPage) of this file"
                    )
                }
                try updated.update(db, columns: Columns.mutable)
                return [updated] + (try Self.insert(adding, db, now: at)).map(\.item)
            }
        }
    }

    public func setStatus(
        id: ItemID, _ status: ItemStatus, expecting: ItemStatus?, note: String
    ) throws(QueueStoreError) -> QueueItem {
        try update(id) { (item, at) throws(QueueStoreError) in
            try QueueRules.settingStatus(item, to: status, expecting: expecting, note: note, now: at)
        }
    }

    public func automation(
        receivedFrom: Date?, before: Date?, keyFields: [String], keyGroups: [String]
    ) throws(QueueStoreError) -> AutomationFigures {
        let scope = Self.received(QueueItem.all(), from: receivedFrom, before: before)
            .filter(Columns.formPage != nil && Columns.status != ItemStatus.failed.rawValue)
        return try run { try writer.read { db in try Self.automation(db, scope: scope, keyFields: keyFields, keyGroups: keyGroups) } }
    }

    public func counts() throws(QueueStoreError) -> [QueueCount] {
        let request = QueueItem
            .select(Columns.route, Columns.status, count(Columns.id).forKey("n"))
            .group(Columns.route, Columns.status)
            .order(Columns.route, Columns.status)
        return try run {
            try writer.read { db in
                try Row.fetchAll(db, request).map { row in
                    QueueCount(
                        route: try Self.decode(String.self, "route", row),
                        status: try Self.decodeEnum(ItemStatus.self, "status", row),
                        count: try Self.decode(Int.self, "n", row)
                    )
                }
            }
        }
    }

    public func reportFigures(
        receivedFrom: Date?, before: Date?, now: Date, nearHours: Double
    ) throws(QueueStoreError) -> ReportFigures {
        let scope = Self.received(QueueItem.all(), from: receivedFrom, before: before)
        // One read transaction, so every figure comes from the same snapshot.
        return try run { try writer.read { db in try Self.reportFigures(db, scope: scope, now: now, nearHours: nearHours) } }
    }

    // MARK: Queries

    typealias Columns = QueueItem.Columns

    /// `Priority.sortRank` as SQL: the ranks are generated from the enum, so Swift and SQL agree.
    private static let priorityRank: SQL = {
        var sql: SQL = "CASE \(Columns.priority)"
        for priority in Priority.allCases {
            sql += " WHEN \(priority.rawValue) THEN \(priority.sortRank)"
        }
        return sql + " END"
    }()

    /// Queue order: urgent first, then due date with undated last, then id.
    static var queueOrder: [any SQLOrderingTerm] {
        [priorityRank, Columns.dueBy == nil, Columns.dueBy, Columns.id]
    }

    /// Narrows to items received in `[from, before)`; nil bounds don't narrow.
    static func received(
        _ request: QueryInterfaceRequest<QueueItem>, from: Date?, before: Date?
    ) -> QueryInterfaceRequest<QueueItem> {
        var request = request
        if let from { request = request.filter(Columns.receivedAt >= from.timeIntervalSinceReferenceDate) }
        if let before { request = request.filter(Columns.receivedAt < before.timeIntervalSinceReferenceDate) }
        return request
    }

    /// The item already holding one request of a file.
    private static func stored(sha256: String, requestPage: Int, _ db: Database) throws -> QueueItem? {
        try QueueItem
            .filter(Columns.sha256 == sha256 && Columns.requestPage == requestPage)
            .fetchOne(db)
    }

    /// Inserts each request unless its file and request page are stored already; the caller's transaction makes it all or nothing.
    private static func insert(_ news: [NewItem], _ db: Database, now: Date) throws -> [InsertOutcome] {
        try news.map { new in
            // The id is a placeholder until SQLite assigns one; it is not written.
            var item = try QueueRules.newItem(new, id: ItemID(0), now: now)
            // Write transactions are IMMEDIATE, so no other connection can insert between this
            // check and the INSERT; the UNIQUE (sha256, request_page) index still backs it.
            if let existing = try stored(sha256: item.sha256, requestPage: item.requestPage, db) {
                return .alreadyPresent(existing)
            }
            try item.insert(db)
            item.id = ItemID(db.lastInsertedRowID)
            return .inserted(item)
        }
    }

    /// Reads, transforms and writes one item in a single write transaction; nil leaves it unchanged.
    private func update(
        _ id: ItemID, _ transform: (QueueItem, Date) throws(QueueStoreError) -> QueueItem?
    ) throws(QueueStoreError) -> QueueItem {
        let at = now()
        return try run {
            try writer.write { db in
                guard let item = try QueueItem.fetchOne(db, key: id.rawValue) else {
                    throw QueueStoreError.notFound(id)
                }
                guard let updated = try transform(item, at) else { return item }
                try updated.update(db, columns: Columns.mutable)
                return updated
            }
        }
    }

    // MARK: Schema

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: queue_item") { db in
            // Dates are REAL seconds since 2001-01-01 (Foundation's reference date): that is Date's own
            // storage, so values round-trip exactly and compare the same in SQL as in Swift.
            // fields, checkboxes, flags, failure and history are JSON.
            try db.execute(sql: Self.v1Schema)
        }
        migrator.registerMigration("v2: requests") { db in
            // A file may hold several requests, one item each: the key becomes (file, request page),
            // where the request page is the form page, or 0 for an item without a form.
            try db.alter(table: "queue_item") { table in
                table.add(column: "page_first", .integer)
                table.add(column: "page_last", .integer)
                table.add(column: "request_page", .integer).notNull().defaults(to: 0)
            }
            // Before v2 an item was the whole file, so one with a form covered all its pages.
            try db.execute(sql: """
                UPDATE queue_item SET request_page = COALESCE(form_page, 0);
                UPDATE queue_item SET page_first = 1, page_last = page_count
                    WHERE form_page IS NOT NULL AND page_count > 0;
                """)
            try db.drop(index: "queue_item_sha256")
            try db.create(index: "queue_item_sha256_request", on: "queue_item", columns: ["sha256", "request_page"], options: .unique)
        }
        migrator.registerMigration("v3: reference checks") { db in
            // What the member roster and the provider directory concluded, as JSON (status, plan, coverage; network).
            try db.alter(table: "queue_item") { table in
                table.add(column: "member", .text)
                table.add(column: "servicing_provider", .text)
            }
        }
        migrator.registerMigration("v4: fax header") { db in
            // The sender's header line (TTI) as read, and the fax number found in it, as JSON.
            try db.alter(table: "queue_item") { table in table.add(column: "header", .text) }
        }
        registerConsoleMigrations(&migrator)
        return migrator
    }

    /// The first schema, as released. Never edit it: databases in the field ran it; add a migration instead.
    static let v1Schema = """
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
        """

    // MARK: Reading rows and errors

    static func decode<T: DatabaseValueConvertible>(_ type: T.Type, _ column: String, _ row: Row) throws(QueueStoreError) -> T {
        do {
            return try row.decode(type, forColumn: column)
        } catch {
            throw .corruptRow(id: nil, column: column, reason: "\(error)")
        }
    }

    static func decodeEnum<E: RawRepresentable<String>>(_ type: E.Type, _ column: String, _ row: Row) throws(QueueStoreError) -> E {
        let raw = try decode(String.self, column, row)
        guard let value = E(rawValue: raw) else {
            throw .corruptRow(id: nil, column: column, reason: "unknown value \"\(raw)\"")
        }
        return value
    }

    func run<T>(_ body: () throws -> T) throws(QueueStoreError) -> T {
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
        if let error = error as? ColumnDecodingError {
            return .corruptRow(id: error.id, column: error.column, reason: error.reason)
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
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            defer { try? db.execute(sql: "ROLLBACK") }
            return try body()
        }
    }

    /// Executes SQL the public API would refuse to, e.g. to plant a damaged row.
    func executeUnchecked(sql: String) throws {
        try writer.writeWithoutTransaction { db in try db.execute(sql: sql) }
    }

    /// Creates a database file at `path` and runs `sql` in it, without any migration, e.g. to stand
    /// for a database an older release left behind.
    static func createUnmigratedDatabase(path: String, sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: sql) }
        try queue.close()
    }

    /// Runs a query and returns its rows as text, to check what is on disk rather than what decodes.
    func rawText(sql: String) throws -> [[String?]] {
        try writer.read { db in
            try Row.fetchAll(db, sql: sql).map { row in
                row.databaseValues.map { value in
                    switch value.storage {
                    case .null: nil
                    case .int64(let int): String(int)
                    case .double(let double): String(double)
                    case .string(let string): string
                    case .blob(let data): data.base64EncodedString()
                    }
                }
            }
        }
    }

    /// The columns and indexes of `queue_item`, to check a migration's result.
    func schemaDescription() throws -> (columns: [String], uniqueIndexes: [[String]]) {
        try writer.read { db in
            let columns = try db.columns(in: "queue_item").map(\.name)
            let unique = try db.indexes(on: "queue_item").filter(\.isUnique).map(\.columns)
            return (columns, unique)
        }
    }
}
