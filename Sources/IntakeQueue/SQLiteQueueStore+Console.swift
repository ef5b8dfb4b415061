import Foundation
import GRDB

/// The console's tables in the queue database: users, the append-only audit log, field corrections.
///
/// Dates are REAL seconds since 2001-01-01, as in `queue_item`.
extension SQLiteQueueStore: ConsoleStore {
    static func registerConsoleMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5: console") { db in
            try db.execute(sql: """
                CREATE TABLE console_user (
                    name TEXT PRIMARY KEY NOT NULL,
                    role TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    failed_logins INTEGER NOT NULL DEFAULT 0,
                    locked_until REAL
                );
                CREATE TABLE audit_entry (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    user TEXT NOT NULL,
                    action TEXT NOT NULL,
                    item_id INTEGER,
                    detail TEXT NOT NULL
                );
                CREATE INDEX audit_entry_at ON audit_entry(at);
                CREATE INDEX audit_entry_user ON audit_entry(user, at);
                CREATE INDEX audit_entry_item ON audit_entry(item_id, at);
                CREATE TABLE field_correction (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    item_id INTEGER NOT NULL,
                    field TEXT NOT NULL,
                    machine_value TEXT NOT NULL,
                    person_value TEXT NOT NULL,
                    accepted INTEGER NOT NULL,
                    user TEXT NOT NULL,
                    at REAL NOT NULL
                );
                CREATE INDEX field_correction_item ON field_correction(item_id, id);
                """)
            // Each item's flags as rows, kept by triggers, so a listing filtered by flag reads an index
            // rather than every item's JSON (rows are several kilobytes; 100,000 of them are most of the file).
            try db.execute(sql: """
                CREATE TABLE item_flag (
                    flag TEXT NOT NULL,
                    item_id INTEGER NOT NULL,
                    PRIMARY KEY (flag, item_id)
                ) WITHOUT ROWID;
                CREATE INDEX item_flag_item ON item_flag(item_id);
                INSERT OR IGNORE INTO item_flag (flag, item_id) SELECT value, queue_item.id FROM queue_item, json_each(queue_item.flags);
                CREATE TRIGGER queue_item_flags_insert AFTER INSERT ON queue_item BEGIN
                    INSERT OR IGNORE INTO item_flag (flag, item_id) SELECT value, NEW.id FROM json_each(NEW.flags);
                END;
                CREATE TRIGGER queue_item_flags_update AFTER UPDATE OF flags ON queue_item BEGIN
                    DELETE FROM item_flag WHERE item_id = OLD.id;
                    INSERT OR IGNORE INTO item_flag (flag, item_id) SELECT value, NEW.id FROM json_each(NEW.flags);
                END;
                CREATE TRIGGER queue_item_flags_delete AFTER DELETE ON queue_item BEGIN
                    DELETE FROM item_flag WHERE item_id = OLD.id;
                END;
                """)
            // The queue order as index keys, so a page of a listing is read in order from an index (no sort of
            // every match, no item rows read but the page's own) whatever the filter.
            try db.execute(sql: """
                CREATE INDEX queue_item_queue_order ON queue_item(\(queueOrderSQL), status, route);
                CREATE INDEX queue_item_status_order ON queue_item(status, \(queueOrderSQL));
                CREATE INDEX queue_item_route_status_order ON queue_item(route, status, \(queueOrderSQL));
                """)
            // Append-only by the database's own rule, not only by the code's good manners.
            for table in ["audit_entry", "field_correction"] {
                for event in ["UPDATE", "DELETE"] {
                    try db.execute(sql: """
                        CREATE TRIGGER \(table)_no_\(event.lowercased()) BEFORE \(event) ON \(table)
                        BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
                        """)
                }
            }
        }
    }

    public func addUser(_ user: ConsoleUser) throws(QueueStoreError) {
        try run {
            try writer.write { db in
                if try Row.fetchOne(db, sql: "SELECT 1 FROM console_user WHERE name = ?", arguments: [user.name]) != nil {
                    throw QueueStoreError.userExists(name: user.name)
                }
                try db.execute(
                    sql: "INSERT INTO console_user (name, role, password_hash, created_at, failed_logins, locked_until) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [user.name, user.role.rawValue, user.passwordHash, user.createdAt.timeIntervalSinceReferenceDate,
                                user.failedLogins, user.lockedUntil?.timeIntervalSinceReferenceDate])
            }
        }
    }

    public func user(named name: String) throws(QueueStoreError) -> ConsoleUser? {
        try run { try writer.read { db in try Self.user(named: name, db) } }
    }

    public func users() throws(QueueStoreError) -> [ConsoleUser] {
        try run {
            try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM console_user ORDER BY name").map { row throws(QueueStoreError) in try Self.user(row) }
            }
        }
    }

    @discardableResult
    public func recordLogin(name: String, succeeded: Bool, at: Date, lockout: LockoutPolicy) throws(QueueStoreError) -> ConsoleUser? {
        try run {
            try writer.write { db in
                guard var user = try Self.user(named: name, db) else {
                    try Self.append(NewAuditEntry(at: at, user: name, action: .loginFailed, detail: "unknown user"), db)
                    return nil
                }
                if succeeded {
                    user.failedLogins = 0
                    user.lockedUntil = nil
                    try Self.append(NewAuditEntry(at: at, user: name, action: .login), db)
                } else {
                    user.failedLogins += 1
                    try Self.append(NewAuditEntry(at: at, user: name, action: .loginFailed, detail: "failure \(user.failedLogins)"), db)
                    if user.failedLogins >= lockout.failures {
                        user.failedLogins = 0
                        user.lockedUntil = at.addingTimeInterval(lockout.seconds)
                        try Self.append(NewAuditEntry(at: at, user: name, action: .lockedOut, detail: "for \(Int(lockout.seconds)) s"), db)
                    }
                }
                try db.execute(
                    sql: "UPDATE console_user SET failed_logins = ?, locked_until = ? WHERE name = ?",
                    arguments: [user.failedLogins, user.lockedUntil?.timeIntervalSinceReferenceDate, name])
                return user
            }
        }
    }

    @discardableResult
    public func appendAudit(_ entry: NewAuditEntry) throws(QueueStoreError) -> AuditEntry {
        try run { try writer.write { db in try Self.append(entry, db) } }
    }

    public func auditEntries(_ filter: AuditFilter) throws(QueueStoreError) -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let user = filter.user { conditions.append("user = ?"); arguments += [user] }
        if let item = filter.item { conditions.append("item_id = ?"); arguments += [item.rawValue] }
        if let since = filter.since { conditions.append("at >= ?"); arguments += [since.timeIntervalSinceReferenceDate] }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        var sql = "SELECT * FROM audit_entry" + whereClause + " ORDER BY id DESC"
        if let limit = filter.limit { sql += " LIMIT \(max(0, limit))" }
        let query = sql
        let rows = try run { try writer.read { db in try Row.fetchAll(db, sql: query, arguments: arguments) } }
        var entries: [AuditEntry] = []
        for row in rows.reversed() { entries.append(try Self.auditEntry(row)) }
        return entries
    }

    public func settleField(
        id: ItemID, name: String, decision: FieldDecision, by user: String, at: Date
    ) throws(QueueStoreError) -> FieldSettlement {
        try run {
            try writer.write { db in
                guard var item = try QueueItem.fetchOne(db, key: id.rawValue) else { throw QueueStoreError.notFound(id) }
                guard item.status == .queued || item.status == .processing else {
                    throw QueueStoreError.invalidTransition(
                        id: id, from: item.status, to: .verified,
                        hint: "only queued items are verified; a failed one is reprocessed first, a finished one is not changed")
                }
                let machine: String
                let person: String
                if var field = item.fields[name] {
                    machine = field.value
                    switch decision {
                    case .accept:
                        field.needsReview = false
                    case .correct(let corrected):
                        field = corrected
                        field.needsReview = false
                    case .select:
                        throw QueueStoreError.unknownField(id: id, name: name)
                    }
                    person = field.value
                    item.fields[name] = field
                } else if var group = item.checkboxes[name] {
                    machine = group.selected.joined(separator: ",")
                    switch decision {
                    case .accept:
                        break
                    case .select(let options):
                        group.selected = options
                    case .correct:
                        throw QueueStoreError.unknownField(id: id, name: name)
                    }
                    group.needsReview = false
                    person = group.selected.joined(separator: ",")
                    item.checkboxes[name] = group
                } else {
                    throw QueueStoreError.unknownField(id: id, name: name)
                }
                let accepted: Bool
                if case .accept = decision { accepted = true } else { accepted = false }
                try db.execute(
                    sql: "INSERT INTO field_correction (item_id, field, machine_value, person_value, accepted, user, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [id.rawValue, name, machine, person, accepted, user, at.timeIntervalSinceReferenceDate])
                let correction = FieldCorrection(
                    id: db.lastInsertedRowID, item: id, field: name, machineValue: machine, personValue: person,
                    accepted: accepted, user: user, at: at)
                // The audit names the field, never its value: the values stay in field_correction.
                try Self.append(NewAuditEntry(at: at, user: user, action: accepted ? .acceptField : .correctField, item: id, detail: name), db)
                let settled = !item.fields.values.contains(where: \.needsReview) && !item.checkboxes.values.contains(where: \.needsReview)
                if settled {
                    item.status = .verified
                    item.flags.removeAll { $0 == ItemFlag(rawValue: "needs_review") }
                    item.history.append(HistoryEntry(at: at, status: .verified, note: "verified by \(user)"))
                    try Self.append(NewAuditEntry(at: at, user: user, action: .verifyItem, item: id), db)
                }
                try item.update(db, columns: Columns.mutable)
                return FieldSettlement(item: item, correction: correction, verified: settled)
            }
        }
    }

    public func corrections(item: ItemID) throws(QueueStoreError) -> [FieldCorrection] {
        let rows = try run {
            try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM field_correction WHERE item_id = ? ORDER BY id", arguments: [item.rawValue])
            }
        }
        var corrections: [FieldCorrection] = []
        for row in rows {
            corrections.append(FieldCorrection(
                id: try Self.decode(Int64.self, "id", row), item: ItemID(try Self.decode(Int64.self, "item_id", row)),
                field: try Self.decode(String.self, "field", row),
                machineValue: try Self.decode(String.self, "machine_value", row),
                personValue: try Self.decode(String.self, "person_value", row),
                accepted: try Self.decode(Bool.self, "accepted", row), user: try Self.decode(String.self, "user", row),
                at: Date(timeIntervalSinceReferenceDate: try Self.decode(Double.self, "at", row))))
        }
        return corrections
    }

    public func page(_ query: ItemQuery) throws(QueueStoreError) -> ItemPage {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let route = query.route {
            conditions.append("route = ?"); arguments += [route]
        }
        if let status = query.status {
            conditions.append("status = ?"); arguments += [status.rawValue]
        }
        if let flag = query.flag {
            let byFlag = "id IN (SELECT item_id FROM item_flag WHERE flag = ?)"
            conditions.append(byFlag); arguments += [flag.rawValue]
        }
        // The index whose keys start with the equality filters and go on in queue order; SQLite's planner
        // would otherwise take the narrower status index and sort, reading every match's row. The count
        // reads the same index: counting by rowid reads the rows too (3 s for 40,000 matches from a cold disk).
        let index = switch (query.route != nil, query.status != nil) {
        case (true, true): "queue_item_route_status_order"
        case (false, true): "queue_item_status_order"
        default: "queue_item_queue_order"
        }
        let whereSQL = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let idsSQL = "SELECT id FROM queue_item INDEXED BY \(index)\(whereSQL) ORDER BY \(Self.queueOrderSQL) LIMIT \(max(0, query.limit)) OFFSET \(max(0, query.offset))"
        let countSQL = "SELECT COUNT(*) FROM queue_item INDEXED BY \(index)\(whereSQL)"
        return try run {
            try writer.read { db in
                let order = try Int64.fetchAll(db, sql: idsSQL, arguments: arguments)
                let rows = try QueueItem.fetchAll(db, keys: order)
                let byID = Dictionary(rows.map { ($0.id.rawValue, $0) }, uniquingKeysWith: { a, _ in a })
                let total = try Int.fetchOne(db, sql: countSQL, arguments: arguments) ?? 0
                return ItemPage(items: order.compactMap { byID[$0] }, total: total)
            }
        }
    }

    /// Queue order (urgent first, then due-by with undated last, then id) as literal SQL, generated from
    /// `Priority.sortRank` like `queueOrder`. Literal because an index expression never matches bound parameters.
    static let queueOrderSQL: String = {
        let ranks = Priority.allCases.map { "WHEN '\($0.rawValue)' THEN \($0.sortRank)" }.joined(separator: " ")
        return "CASE priority \(ranks) END, due_by IS NULL, due_by, id"
    }()

    public func itemsNeedingReview(limit: Int) throws(QueueStoreError) -> [QueueItem] {
        try page(ItemQuery(status: .queued, flag: ItemFlag(rawValue: "needs_review"), limit: limit)).items
    }

    // MARK: Rows

    private static func user(named name: String, _ db: Database) throws -> ConsoleUser? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM console_user WHERE name = ?", arguments: [name]) else { return nil }
        return try user(row)
    }

    private static func user(_ row: Row) throws(QueueStoreError) -> ConsoleUser {
        let locked: Double? = try decode(Double?.self, "locked_until", row)
        return ConsoleUser(
            name: try decode(String.self, "name", row), role: try decodeEnum(ConsoleRole.self, "role", row),
            passwordHash: try decode(String.self, "password_hash", row),
            createdAt: Date(timeIntervalSinceReferenceDate: try decode(Double.self, "created_at", row)),
            failedLogins: try decode(Int.self, "failed_logins", row),
            lockedUntil: locked.map { Date(timeIntervalSinceReferenceDate: $0) })
    }

    private static func auditEntry(_ row: Row) throws(QueueStoreError) -> AuditEntry {
        let item: Int64? = try decode(Int64?.self, "item_id", row)
        return AuditEntry(
            id: try decode(Int64.self, "id", row), at: Date(timeIntervalSinceReferenceDate: try decode(Double.self, "at", row)),
            user: try decode(String.self, "user", row), action: try decodeEnum(AuditAction.self, "action", row),
            item: item.map(ItemID.init), detail: try decode(String.self, "detail", row))
    }

    @discardableResult
    private static func append(_ entry: NewAuditEntry, _ db: Database) throws -> AuditEntry {
        try db.execute(
            sql: "INSERT INTO audit_entry (at, user, action, item_id, detail) VALUES (?, ?, ?, ?, ?)",
            arguments: [entry.at.timeIntervalSinceReferenceDate, entry.user, entry.action.rawValue, entry.item?.rawValue, entry.detail])
        return AuditEntry(id: db.lastInsertedRowID, at: entry.at, user: entry.user, action: entry.action, item: entry.item, detail: entry.detail)
    }
}
