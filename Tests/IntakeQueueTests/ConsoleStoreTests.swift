import Foundation
import GRDB
import Testing

@testable import IntakeQueue

/// The console's part of the store, the same contract on the file store and the in-memory one.
@Suite("ConsoleStore")
struct ConsoleStoreTests {
    /// Both stores behind the console's protocol, with the scratch folder kept alive.
    struct Fixture {
        let store: any QueueStore & ConsoleStore
        let scratch: ScratchDirectory?

        init(_ kind: StoreKind) throws {
            switch kind {
            case .inMemory:
                store = InMemoryQueueStore(now: { baseDate })
                scratch = nil
            case .sqlite:
                let scratch = try ScratchDirectory()
                store = try SQLiteQueueStore(path: scratch.databasePath, now: { baseDate })
                self.scratch = scratch
            }
        }
    }

    let lockout = LockoutPolicy(failures: 3, seconds: 600)

    @Test("users: added once, read back, a second of the same name refused", arguments: StoreKind.allCases)
    func users(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let ann = ConsoleUser(name: "ann", role: .reviewer, passwordHash: "$2b$hash", createdAt: baseDate)
        try f.store.addUser(ann)
        try f.store.addUser(ConsoleUser(name: "bob", role: .admin, passwordHash: "$2b$other", createdAt: baseDate))
        #expect(try f.store.user(named: "ann") == ann)
        #expect(try f.store.user(named: "nobody") == nil)
        #expect(try f.store.users().map(\.name) == ["ann", "bob"])
        #expect(throws: QueueStoreError.userExists(name: "ann")) { try f.store.addUser(ann) }
    }

    @Test("roles include the ones below them")
    func roles() {
        #expect(ConsoleRole.admin.includes(.operator) && ConsoleRole.admin.includes(.reviewer))
        #expect(ConsoleRole.operator.includes(.reviewer) && !ConsoleRole.operator.includes(.admin))
        #expect(!ConsoleRole.reviewer.includes(.operator))
    }

    @Test("failed logins lock the account after the policy's count; a success resets it; each attempt is audited", arguments: StoreKind.allCases)
    func lockoutCounting(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try f.store.addUser(ConsoleUser(name: "ann", role: .reviewer, passwordHash: "h", createdAt: baseDate))
        try f.store.recordLogin(name: "ann", succeeded: false, at: day(1), lockout: lockout)
        try f.store.recordLogin(name: "ann", succeeded: true, at: day(1), lockout: lockout)
        #expect(try f.store.user(named: "ann")?.failedLogins == 0)
        for _ in 0..<2 { try f.store.recordLogin(name: "ann", succeeded: false, at: day(2), lockout: lockout) }
        #expect(try f.store.user(named: "ann")?.isLocked(at: day(2)) == false)
        let locked = try #require(try f.store.recordLogin(name: "ann", succeeded: false, at: day(2), lockout: lockout))
        #expect(locked.isLocked(at: day(2) + 599))
        #expect(!locked.isLocked(at: day(2) + 600))
        #expect(try f.store.recordLogin(name: "ghost", succeeded: false, at: day(3), lockout: lockout) == nil)
        let actions = try f.store.auditEntries(AuditFilter()).map(\.action)
        #expect(actions == [.loginFailed, .login, .loginFailed, .loginFailed, .loginFailed, .lockedOut, .loginFailed])
        #expect(try f.store.auditEntries(AuditFilter(user: "ghost")).map(\.detail) == ["unknown user"])
    }

    @Test("audit entries filter by user, item and time, and the log refuses UPDATE and DELETE", arguments: StoreKind.allCases)
    func auditLog(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try f.store.appendAudit(NewAuditEntry(at: day(1), user: "ann", action: .viewItem, item: ItemID(1)))
        try f.store.appendAudit(NewAuditEntry(at: day(2), user: "bob", action: .viewPage, item: ItemID(1), detail: "page 2"))
        try f.store.appendAudit(NewAuditEntry(at: day(3), user: "ann", action: .reprocess, item: ItemID(2)))
        #expect(try f.store.auditEntries(AuditFilter(user: "ann")).map(\.action) == [.viewItem, .reprocess])
        #expect(try f.store.auditEntries(AuditFilter(item: ItemID(1))).map(\.user) == ["ann", "bob"])
        #expect(try f.store.auditEntries(AuditFilter(since: day(2))).count == 2)
        #expect(try f.store.auditEntries(AuditFilter(limit: 1)).map(\.action) == [.reprocess])
        // The in-memory store runs the same migrations; its database is not reachable from outside.
        if let sqlite = f.store as? SQLiteQueueStore {
            #expect(throws: (any Error).self) { try sqlite.writer.write { db in try db.execute(sql: "UPDATE audit_entry SET user = 'eve'") } }
            #expect(throws: (any Error).self) { try sqlite.writer.write { db in try db.execute(sql: "DELETE FROM audit_entry") } }
        }
        #expect(try f.store.auditEntries(AuditFilter()).count == 3)
    }

    @Test("settling every flagged field verifies the item, keeps each correction and audits it", arguments: StoreKind.allCases)
    func settling(kind: StoreKind) throws {
        let f = try Fixture(kind)
        var new = sampleItem(1)
        new.content.flags.append(ItemFlag(rawValue: "needs_review"))
        let item = try insertNew(f.store, new)
        let corrected = StoredField(value: "W123456780", normalized: "W123456780", confidence: 1, valid: true, needsReview: false)
        let first = try f.store.settleField(id: item.id, name: "member_id", decision: .correct(corrected), by: "ann", at: day(1))
        #expect(!first.verified)
        #expect(first.item.status == .queued)
        #expect(first.correction.machineValue == "W12345678O" && first.correction.personValue == "W123456780")
        let second = try f.store.settleField(id: item.id, name: "setting", decision: .select(["inpatient"]), by: "ann", at: day(2))
        #expect(second.verified)
        let stored = try #require(try f.store.item(id: item.id))
        #expect(stored.status == .verified)
        #expect(!stored.flags.contains(ItemFlag(rawValue: "needs_review")))
        // The flag index follows the item's flags: the verified item no longer lists under needs_review.
        #expect(try f.store.page(ItemQuery(flag: ItemFlag(rawValue: "needs_review"))).total == 0)
        #expect(try f.store.page(ItemQuery(flag: .routeConflict)).items.map(\.id) == [item.id])
        #expect(stored.fields["member_id"]?.value == "W123456780")
        #expect(stored.checkboxes["setting"]?.selected == ["inpatient"])
        #expect(stored.history.last?.note == "verified by ann")
        let history = try f.store.corrections(item: item.id)
        #expect(history.map(\.field) == ["member_id", "setting"])
        #expect(history.map(\.user) == ["ann", "ann"])
        #expect(history[0].at == day(1) && !history[0].accepted)
        #expect(try f.store.auditEntries(AuditFilter(item: item.id)).map(\.action) == [.correctField, .correctField, .verifyItem])
        // A verified item is not changed again, nor is a field it does not have.
        #expect(throws: QueueStoreError.self) { try f.store.settleField(id: item.id, name: "member_id", decision: .accept, by: "ann", at: day(3)) }
        let other = try insertNew(f.store, sampleItem(2))
        #expect(throws: QueueStoreError.unknownField(id: other.id, name: "nope")) {
            try f.store.settleField(id: other.id, name: "nope", decision: .accept, by: "ann", at: day(3))
        }
        let accepted = try f.store.settleField(id: other.id, name: "member_id", decision: .accept, by: "bob", at: day(4))
        #expect(accepted.correction.accepted && accepted.correction.personValue == "W12345678O")
        #expect(accepted.item.fields["member_id"]?.needsReview == false)
    }

    @Test("pages of the queue: filter by route, status and flag, in queue order, with the total", arguments: StoreKind.allCases)
    func paging(kind: StoreKind) throws {
        let f = try Fixture(kind)
        for n in 1...7 {
            var new = sampleItem(n, route: n.isMultiple(of: 2) ? "snf" : "elective", priority: n == 5 ? .urgent : .standard, dueBy: day(Double(10 - n)))
            if n <= 3 { new.content.flags.append(ItemFlag(rawValue: "needs_review")) }
            try insertNew(f.store, new)
        }
        let all = try f.store.page(ItemQuery(limit: 3))
        #expect(all.total == 7)
        #expect(all.items.map(\.id.rawValue) == [5, 7, 6])
        let next = try f.store.page(ItemQuery(offset: 3, limit: 3))
        #expect(next.items.map(\.id.rawValue) == [4, 3, 2])
        #expect(try f.store.page(ItemQuery(route: "snf")).total == 3)
        #expect(try f.store.page(ItemQuery(flag: ItemFlag(rawValue: "needs_review"))).items.map(\.id.rawValue) == [3, 2, 1])
        // "review" alone is not the flag needs_review.
        #expect(try f.store.page(ItemQuery(flag: ItemFlag(rawValue: "review"))).total == 0)
        #expect(try f.store.page(ItemQuery(status: .failed)).total == 0)
        #expect(try f.store.page(ItemQuery(route: "snf", status: .queued)).items.map(\.id.rawValue) == [6, 4, 2])
        #expect(try f.store.page(ItemQuery(route: "snf", status: .queued, flag: ItemFlag(rawValue: "needs_review"))).items.map(\.id.rawValue) == [2])
        #expect(try f.store.page(ItemQuery(status: .queued, offset: 5, limit: 5)).items.map(\.id.rawValue) == [2, 1])
        #expect(try f.store.itemsNeedingReview(limit: 2).map(\.id.rawValue) == [3, 2])
    }
}
