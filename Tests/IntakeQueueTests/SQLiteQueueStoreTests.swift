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

    @Test("the UNIQUE index itself rejects a second row for the same file")
    func uniqueIndexEnforced() throws {
        let scratch = try ScratchDirectory()
        let store = try SQLiteQueueStore(path: scratch.databasePath)
        try insertNew(store, sampleItem(1))
        // Bypasses the store's own pre-check, as another process's racing insert would.
        #expect(throws: (any Error).self) {
            try store.executeUnchecked(sql: """
                INSERT INTO queue_item (sha256, route, priority, status, received_at, channel,
                    source_file_name, archive_path, page_count, fields, checkboxes, flags, history)
                VALUES ('\(sha(1))', 'elective', 'standard', 'queued', 0, 'fax', 'x', 'x', 1, '{}', '{}', '[]', '[]')
                """)
        }
        #expect(try store.all().count == 1)
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
