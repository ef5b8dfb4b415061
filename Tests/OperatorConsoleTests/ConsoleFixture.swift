import FormExtraction
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import IntakePipeline
import IntakeQueue
import Logging
import Synchronization
import Testing

@testable import OperatorConsole

/// The repository and `../shared`, found from this file.
enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = repository.deletingLastPathComponent().appendingPathComponent("shared")
    static let formDirectory = repository.appendingPathComponent("Pipelines/forms").path
    static let formName = "medical-prior-authorization-request-form"
}

/// The real form, loaded once: registration and validators are the pipeline's own.
let sharedForm: FormDefinition = {
    do { return try FormDefinition.load(directory: Paths.formDirectory, name: Paths.formName) } catch { fatalError("\(error)") }
}()

/// A console over an in-memory store, a clock the test moves, a stand-in reprocessor and captured logs.
struct ConsoleFixture {
    static let password = "correct horse battery"

    let store = InMemoryQueueStore(now: { Date(timeIntervalSince1970: 1_800_000_000) })
    let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
    let logs = LogCapture()
    let reprocessing = FakeReprocessing()
    let app: ConsoleApp

    init(form: FormDefinition? = sharedForm, secureCookies: Bool = false, console: String = "") throws {
        let yaml = """
            spool: /tmp/spool
            state: /tmp/state
            archive: /tmp/archive
            form: { template: forms/x }
            lines: [{ name: elective, number: 1-555-010-4001 }]
            \(console)
            """
        let configuration = try PipelineConfiguration.parse(yaml, file: "/tmp/test.yml")
        let logs = self.logs
        app = ConsoleApp(
            store: store, configuration: configuration, form: form, reprocessing: reprocessing, clock: clock,
            logger: Logger(label: "test.console", factory: { _ in CapturingLogHandler(capture: logs) }), secureCookies: secureCookies)
        for (name, role) in [("rita", ConsoleRole.reviewer), ("otto", .operator), ("ada", .admin)] {
            // Cost 4: the lowest bcrypt allows, so tests stay quick; verification reads the cost from the hash.
            try store.addUser(ConsoleUser(name: name, role: role, passwordHash: Bcrypt.hash(Self.password, cost: 4), createdAt: clock.now()))
        }
    }

    /// Runs `body` against the router, in process.
    func test<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let application = Application(router: app.router(), logger: Logger(label: "test.app", factory: { [logs] _ in CapturingLogHandler(capture: logs) }))
        return try await application.test(.router) { client in try await body(client) }
    }

    /// Inserts a queued request whose original is a real fax of the development corpus.
    @discardableResult
    func insertItem(corpus name: String = "0000", formPage: Int = 2, pages: Int = 2, fields: [String: StoredField] = Self.flaggedFields,
                    flags: [ItemFlag] = ["needs_review"], status: ItemStatus = .queued, n: Int = 1) throws -> QueueItem {
        let path = Paths.shared.appendingPathComponent("corpus-dev/\(name).tif").path
        let failure = status == .failed ? FailureRecord(stage: .decode, reason: "cannot decode", attempts: 1, lastAttemptAt: clock.now(), permanent: false) : nil
        let new = NewItem(
            sha256: String(repeating: "0", count: 63) + String(n, radix: 16), receivedAt: clock.now(), channel: .fax,
            sourceFileName: "\(name).tif", archivePath: path, pageCount: pages, pageRange: PageRange(first: 1, last: pages),
            content: ItemContent(route: "elective", priority: .standard, formPage: formPage, formID: "MPA-01", fields: fields, flags: flags),
            status: status, failure: failure)
        return try store.insert(new).item
    }

    /// PHI-looking values that must never reach the log.
    static let flaggedFields: [String: StoredField] = [
        "member_id": StoredField(value: "2509135226B", normalized: "2509135226B", confidence: 0.61, valid: false, needsReview: true, issues: ["not 11 digits"]),
        "member_name": StoredField(value: "Quixote, Alonso", normalized: "Quixote, Alonso", confidence: 0.7, valid: true, needsReview: true),
        "member_dob": StoredField(value: "03/14/1961", normalized: "1961-03-14", confidence: 0.99, valid: true, needsReview: false),
    ]
}

/// Reprocessing without OCR: answers what the test set, and counts calls.
final class FakeReprocessing: ItemReprocessing {
    let calls = Mutex<[ItemID]>([])

    func reprocess(_ id: ItemID) async throws -> Reprocessor.Outcome {
        calls.withLock { $0.append(id) }
        return .failedAgain(id, stage: .decode, reason: "still cannot decode", attempts: 2)
    }
}

/// Everything logged, at every level, as text.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        let all = self.metadata.merging(metadata ?? [:]) { $1 }
        capture.append("\(level) \(message) \(all.map { "\($0)=\($1)" }.sorted().joined(separator: " "))")
    }
}

/// A logged-in client's cookie and CSRF token.
struct Login: Sendable {
    var cookie: String
    var csrf: String

    var headers: HTTPFields { [.cookie: cookie] }

    func posting(json: Bool = true, csrf: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [.cookie: cookie, .contentType: json ? "application/json" : "application/x-www-form-urlencoded"]
        if let token = csrf ?? Optional(self.csrf), !token.isEmpty { fields[HTTPField.Name("X-CSRF-Token")!] = token }
        return fields
    }
}

extension TestClientProtocol {
    func login(_ name: String, password: String = ConsoleFixture.password) async throws -> Login? {
        try await execute(
            uri: "/api/session", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"username":"\#(name)","password":"\#(password)"}"#)
        ) { response in
            guard response.status == .ok, let setCookie = response.headers[.setCookie] else { return nil }
            let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: String]
            return Login(cookie: String(setCookie.split(separator: ";")[0]), csrf: json?["csrf_token"] ?? "")
        }
    }
}

func json(_ buffer: ByteBuffer) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
}
