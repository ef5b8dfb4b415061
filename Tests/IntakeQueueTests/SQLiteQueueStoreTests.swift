import Foundation
import Testing

@testable import IntakeQueue

/// What only the SQLite store promises: owner-only files, durability across reopen, locking, integrity.
@Suite("SQLiteQueueStore")
struct SQLiteQueueStoreTests {
    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test("creates its directory 0700 and its database, -wal and -shm files 0600")
    func ownerOnlyPermissions() throws {
        let scratch = try ScratchDirectory()
        let store = try SQLiteQueueStore(path: scratch.databasePath)
        try insertNew(store, sampleItem(1))

        #expect(try mode(scratch.queueDirectory) == 0o700)
        #expect(try mode(scratch.databasePath) == 0o600)
        // A DatabasePool keeps the WAL and shared-memory files while it is open.
        #expect(try mode(scratch.databasePath + "-wal") == 0o600)
        #expect(try mode(scratch.databasePath + "-shm") == 0o600)
    }

    @Test("tightens a pre-existing database file that is world-readable")
    func tightensExistingFile() throws {
        let scratch = try ScratchDirectory()
        try FileManager.default.createDirectory(
            atPath: scratch.queueDirectory, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o700]
        )
        #expect(FileManager.default.createFile(
            atPath: scratch.databasePath, contents: nil, attributes: [.posixPermissions: 0o644]
        ))
        _ = try SQLiteQueueStore(path: scratch.databasePath)
        #expect(try mode(scratch.databasePath) == 0o600)
    }

    @Test("refuses a directory other users can read")
    func refusesOpenDirectory() throws {
        let scratch = try ScratchDirectory()
        try FileManager.default.createDirectory(atPath: scratch.queueDirectory, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.queueDirectory)

        #expect(throws: QueueStoreError.insecureDirectory(path: scratch.queueDirectory, mode: 0o755)) {
            try SQLiteQueueStore(path: scratch.databasePath)
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.databasePath))
    }

    @Test("data survives closing and reopening")
    func reopenKeepsData() throws {
        let scratch = try ScratchDirectory()
        let inserted: QueueItem
        let failed: QueueItem
        do {
            let store = try SQLiteQueueStore(path: scratch.databasePath)
            inserted = try insertNew(store, sampleItem(1, priority: .urgent, dueBy: day(1), duplicateKey: "k", serviceDate: day(4)))
            try insertNew(store, sampleItem(2))
            failed = try store.markFailed(id: inserted.id, failure: sampleFailure())
            try store.close()
            #expect(throws: QueueStoreError.self) { try store.item(id: inserted.id) }
        }

        let reopened = try SQLiteQueueStore(path: scratch.databasePath)
        #expect(try reopened.item(id: inserted.id) == failed)
        #expect(try reopened.all().count == 2)
        #expect(try reopened.insert(sampleItem(1)) == .alreadyPresent(failed))
        let third = try insertNew(reopened, sampleItem(3))
        #expect(third.id.rawValue == 3)
    }

    @Test("integrityCheck reports a sound database")
    func integrityCheck() throws {
        let scratch = try ScratchDirectory()
        let store = try SQLiteQueueStore(path: scratch.databasePath)
        for n in 1...20 { try insertNew(store, sampleItem(n)) }
        #expect(try store.integrityCheck())
    }

    @Test("another connection holding the write lock past the busy timeout gives .locked")
    func lockedDatabase() throws {
        let scratch = try ScratchDirectory()
        let store = try SQLiteQueueStore(path: scratch.databasePath, busyTimeout: 0.2)
        let otherProcess = try SQLiteQueueStore(path: scratch.databasePath)

        let error = try otherProcess.whileHoldingExclusiveLock {
            #expect(throws: QueueStoreError.self) { try store.insert(sampleItem(1)) }
        }
        #expect(error == .locked(path: scratch.databasePath))
        #expect(error?.description.contains("locked") == true)

        // Once the other connection lets go, the same insert goes through.
        try insertNew(store, sampleItem(1))
    }

    @Test("the UNIQUE index itself rejects a second row for the same file and request page")
    func uniqueIndexEnforced() throws {
        let scratch = try ScratchDirectory()
        let store = try SQLiteQueueStore(path: scratch.databasePath)
        try insertNew(store, sampleItem(1))
        // Bypasses the store's own pre-check, as another process's racing insert would.
        func insertRaw(requestPage: Int) throws {
            try store.executeUnchecked(sql: """
                INSERT INTO queue_item (sha256, route, priority, status, received_at, channel,
                    source_file_name, archive_path, page_count, fields, checkboxes, flags, history, request_page)
                VALUES ('\(sha(1))', 'elective', 'standard', 'queued', 0, 'fax', 'x', 'x', 1, '{}', '{}', '[]', '[]', \(requestPage))
                """)
        }
        #expect(throws: (any Error).self) { try insertRaw(requestPage: 2) }
        #expect(try store.all().count == 1)
        // Another request page of the same file is another request.
        try insertRaw(requestPage: 3)
        #expect(try store.all().count == 2)
    }

    @Test("rows keep the v1 on-disk formats: REAL dates, raw enum strings, sorted JSON, failed_stage")
    func onDiskFormats() throws {
        let scratch = try ScratchDirectory()
        let clock = TestClock()
        let store = try SQLiteQueueStore(path: scratch.databasePath, now: { clock.now() })
        var new = sampleItem(1, route: "unrouted", dueBy: day(2), status: .failed, failure: sampleFailure(stage: .decode))
        new.content.flags = [.routeConflict]
        new.content.fields = [:]
        new.content.checkboxes = [:]
        let item = try insertNew(store, new)

        let rows = try store.rawText(sql: """
            SELECT typeof(received_at), received_at, typeof(due_by), priority, status, channel, flags, fields,
                   failure, failed_stage, history, form_page, page_first, page_last, request_page
            FROM queue_item WHERE id = \(item.id)
            """)
        #expect(rows == [[
            "real", String(baseDate.timeIntervalSinceReferenceDate), "real", "standard", "failed", "fax",
            #"["route_conflict"]"#, "{}",
            #"{"attempts":1,"lastAttemptAt":789000060.875,"permanent":false,"reason":"form page not found","stage":"decode"}"#,
            "decode",
            #"[{"at":790000000.125,"note":"failed at decode (attempt 1): form page not found","status":"failed"}]"#,
            "2", "2", "4", "2",
        ]])
    }

    @Test("a v1 database with items in it migrates: request pages backfilled, the unique key widened")
    func migratesVersion1() throws {
        let scratch = try ScratchDirectory()
        try FileManager.default.createDirectory(
            atPath: scratch.queueDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700]
        )
        // The schema and bookkeeping exactly as release 1 created them, with one queued and one failed item.
        try SQLiteQueueStore.createUnmigratedDatabase(path: scratch.databasePath, sql: """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1: queue_item');
            \(SQLiteQueueStore.v1Schema)
            INSERT INTO queue_item (sha256, route, priority, due_by, status, received_at, queued_at, channel,
                fax_line, source_file_name, archive_path, page_count, form_page, form_id, fields, checkboxes,
                flags, history)
            VALUES ('\(sha(1))', 'elective', 'urgent', 789100000.5, 'queued', 789000000.375, 789000100.25, 'fax',
                '+1-555-0100', 'fax-1.tif', '/archive/1.tif', 4, 2, 'MPA-01',
                '{"member_id":{"confidence":0.8125,"issues":[],"needsReview":true,"normalized":"W1","valid":true,"value":"W1"}}',
                '{}', '["route_conflict"]',
                '[{"at":789000100.25,"note":"queued on route elective","status":"queued"}]');
            INSERT INTO queue_item (sha256, route, priority, status, received_at, channel, source_file_name,
                archive_path, page_count, fields, checkboxes, flags, failure, failed_stage, history)
            VALUES ('\(sha(2))', 'unrouted', 'standard', 'failed', 789000200, 'mail', 'scan.pdf', '/archive/2.pdf', 3,
                '{}', '{}', '[]',
                '{"attempts":1,"lastAttemptAt":789000201,"permanent":true,"reason":"encrypted","stage":"decode"}',
                'decode', '[{"at":789000201,"note":"failed at decode (permanently): encrypted","status":"failed"}]');
            """)

        let store = try SQLiteQueueStore(path: scratch.databasePath)

        let schema = try store.schemaDescription()
        #expect(schema.columns.suffix(6) == ["page_first", "page_last", "request_page", "member", "servicing_provider", "header"])
        #expect(schema.uniqueIndexes == [["sha256", "request_page"]])
        #expect(try store.rawText(sql: "SELECT id, request_page, page_first, page_last FROM queue_item ORDER BY id") == [
            ["1", "2", "1", "4"], ["2", "0", nil, nil],
        ])

        let queued = try #require(try store.item(id: ItemID(1)))
        #expect(queued.formPage == 2 && queued.pageRange == PageRange(first: 1, last: 4))
        #expect(queued.priority == .urgent && queued.flags == [.routeConflict])
        #expect(queued.receivedAt == Date(timeIntervalSinceReferenceDate: 789_000_000.375))
        #expect(queued.fields["member_id"]?.needsReview == true)
        #expect(queued.history.count == 1)
        let failed = try #require(try store.item(id: ItemID(2)))
        #expect(failed.failure?.stage == .decode && failed.failure?.permanent == true)
        #expect(failed.pageRange == nil && failed.formPage == nil)
        #expect(try store.list(ItemFilter(failedStage: .decode)).map(\.id) == [ItemID(2)])

        // The old key still finds the old items; a second request of file 1 is now welcome.
        #expect(try store.insert(sampleItem(1)) == .alreadyPresent(queued))
        let second = try store.insert(sampleRequest(1, formPage: 3, pages: 3...4))
        #expect(second.wasInserted)
        #expect(second.item.id == ItemID(3))
        #expect(try store.siblings(of: queued.id) == [second.item.id])
        #expect(try store.integrityCheck())

        // Opening again runs no migration twice.
        let reopened = try SQLiteQueueStore(path: scratch.databasePath)
        #expect(try reopened.all().count == 3)
    }

    @Test("concurrent inserts through separate connections still make one item")
    func concurrentInsertsAcrossConnections() throws {
        let scratch = try ScratchDirectory()
        let stores = try (0..<4).map { _ in try SQLiteQueueStore(path: scratch.databasePath) }
        let outcomes = LockedArray<Result<InsertOutcome, QueueStoreError>>()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            outcomes.append(Result { () throws(QueueStoreError) in try stores[thread % 4].insert(sampleItem(5)) })
        }
        let items = try outcomes.values.map { try $0.get() }
        #expect(items.count == 8)
        #expect(items.filter(\.wasInserted).count == 1)
        #expect(try stores[0].all().count == 1)
    }

    @Test("a damaged row is reported as corruptRow, not a crash")
    func damagedRow() throws {
        let scratch = try ScratchDirectory()
        let store = try SQLiteQueueStore(path: scratch.databasePath)
        let item = try insertNew(store, sampleItem(1))
        try store.executeUnchecked(sql: "UPDATE queue_item SET status = 'archived' WHERE id = \(item.id)")

        let error = #expect(throws: QueueStoreError.self) { try store.item(id: item.id) }
        #expect(error == .corruptRow(id: item.id, column: "status", reason: "unknown value \"archived\""))

        try store.executeUnchecked(sql: "UPDATE queue_item SET status = 'queued', fields = '{oops' WHERE id = \(item.id)")
        let jsonError = #expect(throws: QueueStoreError.self) { try store.list(ItemFilter()) }
        guard case .corruptRow(item.id, "fields", _)? = jsonError else {
            Issue.record("expected corruptRow for fields, got \(String(describing: jsonError))")
            return
        }
    }
}
