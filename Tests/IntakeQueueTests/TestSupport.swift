import Foundation
import Synchronization
import Testing

@testable import IntakeQueue

/// Which store a shared test runs against: the same SQLite code, in memory or in a file (WAL, a pool of connections).
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case inMemory
    case sqlite

    var testDescription: String { rawValue }
}

/// A clock tests move by hand, so history timestamps are exact and not wall-clock dependent.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSinceReferenceDate: 790_000_000.125)) {
        current = Mutex(start)
    }

    func now() -> Date {
        current.withLock { $0 }
    }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }
}

/// A store under test plus whatever it needs cleaned up afterwards.
struct StoreFixture {
    let store: any QueueStore
    let clock: TestClock
    let scratch: ScratchDirectory?

    init(_ kind: StoreKind) throws {
        let clock = TestClock()
        self.clock = clock
        switch kind {
        case .inMemory:
            store = InMemoryQueueStore(now: { clock.now() })
            scratch = nil
        case .sqlite:
            let scratch = try ScratchDirectory()
            store = try SQLiteQueueStore(path: scratch.databasePath, now: { clock.now() })
            self.scratch = scratch
        }
    }
}

/// A fresh temporary directory, removed when the last reference goes away.
final class ScratchDirectory: Sendable {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("intake-queue-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// Inside a subdirectory the store must create itself, so creation is exercised too.
    var queueDirectory: String { root.appendingPathComponent("queue").path }
    var databasePath: String { queueDirectory + "/queue.sqlite" }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }
}

/// A well-formed SHA-256 hex string distinct for each `n`.
func sha(_ n: Int) -> String {
    let hex = String(n, radix: 16)
    return String(repeating: "0", count: 64 - hex.count) + hex
}

let baseDate = Date(timeIntervalSinceReferenceDate: 789_000_000.375)

func day(_ n: Double) -> Date {
    baseDate + n * 86_400
}

func sampleContent(
    route: String = "elective", priority: Priority = .standard, dueBy: Date? = nil,
    duplicateKey: String? = nil, serviceDate: Date? = nil, formPage: Int? = 2
) -> ItemContent {
    ItemContent(
        route: route, priority: priority, dueBy: dueBy, formPage: formPage, formID: "MPA-01",
        fields: [
            "member_id": StoredField(
                value: "W12345678O", normalized: "W123456780", confidence: 0.8125,
                valid: true, needsReview: true, issues: ["O read as 0"]
            ),
            "procedure_code": StoredField(
                value: "27447", normalized: "27447", confidence: 0.99, valid: true, needsReview: false
            ),
        ],
        checkboxes: [
            "request_type": StoredCheckboxGroup(selected: ["initial"], confidence: 0.9, needsReview: false),
            "setting": StoredCheckboxGroup(selected: [], confidence: 0.4, needsReview: true),
        ],
        flags: [.routeConflict, ItemFlag(rawValue: "cover_sheet_only")],
        duplicateOf: nil, duplicateKey: duplicateKey, serviceDate: serviceDate
    )
}

func sampleItem(
    _ n: Int, route: String = "elective", priority: Priority = .standard, dueBy: Date? = nil,
    receivedAt: Date = baseDate, channel: Channel = .fax,
    duplicateKey: String? = nil, serviceDate: Date? = nil,
    status: ItemStatus = .queued, failure: FailureRecord? = nil,
    formPage: Int? = 2, pageRange: PageRange? = PageRange(first: 2, last: 4), pageCount: Int = 4
) -> NewItem {
    NewItem(
        sha256: sha(n), receivedAt: receivedAt, channel: channel,
        faxLine: channel == .fax ? "+1-555-0100" : nil, caller: channel == .fax ? "+1-555-0199" : nil,
        stationID: channel == .fax ? "DR SMITH OFFICE" : nil,
        sourceFileName: "fax-\(n).tif", archivePath: "/var/lib/faxintake/archive/\(sha(n)).tif",
        pageCount: pageCount, pageRange: pageRange,
        content: sampleContent(
            route: route, priority: priority, dueBy: dueBy, duplicateKey: duplicateKey, serviceDate: serviceDate,
            formPage: formPage
        ),
        status: status, failure: failure
    )
}

func sampleFailure(stage: PipelineStage = .extract, attempts: Int = 1, permanent: Bool = false) -> FailureRecord {
    FailureRecord(
        stage: stage, reason: "form page not found", attempts: attempts,
        lastAttemptAt: baseDate + 60.5, permanent: permanent
    )
}

/// Inserts and returns the new item, failing the test if it was already present.
@discardableResult
func insertNew(_ store: any QueueStore, _ item: NewItem) throws -> QueueItem {
    let outcome = try store.insert(item)
    #expect(outcome.wasInserted)
    return outcome.item
}

/// One request of file `n`: its form on `formPage`, its pages `first...last` of a 10-page file.
func sampleRequest(_ n: Int, formPage: Int?, pages: ClosedRange<Int>?, route: String = "elective") -> NewItem {
    sampleItem(
        n, route: route, formPage: formPage,
        pageRange: pages.map { PageRange(first: $0.lowerBound, last: $0.upperBound) }, pageCount: 10
    )
}

/// Collects results from concurrent closures.
final class LockedArray<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])

    func append(_ element: Element) {
        storage.withLock { $0.append(element) }
    }

    var values: [Element] {
        storage.withLock { $0 }
    }
}
