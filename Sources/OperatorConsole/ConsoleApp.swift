import FaxImaging
import FormExtraction
import Foundation
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTLS
import IntakePipeline
import IntakeQueue
import Logging
import Prometheus

/// The operator console: its store, rules and collaborators, and the Hummingbird router they make.
public struct ConsoleApp: Sendable {
    public let store: any QueueStore & ConsoleStore
    public let configuration: PipelineConfiguration
    public let form: FormDefinition?
    public let renderer: PageRenderer
    public let reprocessing: any ItemReprocessing
    public let clock: any Clock
    public let sessions: SessionStore
    /// The registry `/metrics` prints; nil prints nothing.
    public let metrics: PrometheusCollectorRegistry?
    public let logger: Logger
    /// Cookies carry `Secure` when the console serves TLS.
    public let secureCookies: Bool

    public init(
        store: any QueueStore & ConsoleStore, configuration: PipelineConfiguration, form: FormDefinition?,
        reprocessing: any ItemReprocessing, clock: any Clock = SystemClock(), metrics: PrometheusCollectorRegistry? = nil,
        logger: Logger = Logger(label: "faxintake.console"), secureCookies: Bool = false
    ) {
        self.store = store
        self.configuration = configuration
        self.form = form
        self.renderer = PageRenderer(form: form, limits: configuration.limits)
        self.reprocessing = reprocessing
        self.clock = clock
        self.sessions = SessionStore(idleSeconds: configuration.console.idleSeconds)
        self.metrics = metrics
        self.logger = logger
        self.secureCookies = secureCookies
    }

    var lockout: LockoutPolicy {
        LockoutPolicy(failures: configuration.console.lockoutFailures, seconds: configuration.console.lockoutSeconds)
    }

    /// Every route, behind the request log and the session gate.
    public func router() -> Hummingbird.Router<ConsoleContext> {
        let router = Hummingbird.Router(context: ConsoleContext.self)
        router.add(middleware: RequestLog(logger: logger))
        router.add(middleware: SessionGate(sessions: sessions, store: store, clock: clock))
        addServiceRoutes(router)
        addAPIRoutes(router)
        addPageRoutes(router)
        return router
    }

    /// Serves until the process is told to stop; `tls` is (certificate, key) PEM paths.
    public func run(host: String, port: Int, tls: (certificate: String, key: String)?) async throws {
        let configuration = ApplicationConfiguration(address: .hostname(host, port: port), serverName: "faxintake-console")
        // Parsed and hashed before the first request, so the first person in does not wait for them.
        _ = Templates.library
        _ = Self.decoyHash
        guard let tls else {
            try await Application(router: router(), configuration: configuration, logger: logger).runService()
            return
        }
        let tlsConfiguration: TLSConfiguration
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate)
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            tlsConfiguration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        } catch {
            throw ConsoleError.tls("cannot read the certificate or key (\(error))")
        }
        try await Application(
            router: router(), server: try .tls(.http1(), tlsConfiguration: tlsConfiguration), configuration: configuration, logger: logger
        ).runService()
    }

    // MARK: Sessions

    /// Checks a password and starts a session; nil on a wrong name or password, or a locked account.
    func login(name: String, password: String) throws -> ConsoleSession? {
        let now = clock.now()
        let user = try store.user(named: name)
        if let user, user.isLocked(at: now) {
            try store.appendAudit(NewAuditEntry(at: now, user: name, action: .loginFailed, detail: "account locked"))
            return nil
        }
        // An unknown name costs a bcrypt check too, so timing does not tell which names exist.
        let matches = Bcrypt.verify(password, hash: user?.passwordHash ?? Self.decoyHash)
        try store.recordLogin(name: name, succeeded: matches && user != nil, at: now, lockout: lockout)
        guard matches, let user else { return nil }
        return sessions.start(user: user.name, role: user.role, at: now)
    }

    static let decoyHash = Bcrypt.hash("not a password anyone has", cost: 12)

    func sessionCookie(_ session: ConsoleSession) -> Cookie {
        Cookie(name: SessionGate.cookieName, value: session.token, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    func clearedCookie() -> Cookie {
        Cookie(name: SessionGate.cookieName, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    func audit(_ session: ConsoleSession, _ action: AuditAction, item: ItemID? = nil, detail: String = "") throws {
        try store.appendAudit(NewAuditEntry(at: clock.now(), user: session.user, action: action, item: item, detail: detail))
    }

    // MARK: Shared operations

    func item(_ context: ConsoleContext) throws -> QueueItem {
        let id = try context.parameters.require("id", as: Int64.self)
        guard let item = try store.item(id: ItemID(id)) else { throw HTTPError(.notFound, message: "no item \(id)") }
        return item
    }

    /// The fields and checkbox groups still flagged, in the form's order (unknown names last, by name).
    func flaggedNames(_ item: QueueItem) -> [String] {
        let flagged = Set(item.fields.filter(\.value.needsReview).keys).union(item.checkboxes.filter(\.value.needsReview).keys)
        let order = (form?.template.fields.map(\.name) ?? []) + (form?.template.checkboxGroups.map(\.name) ?? [])
        return order.filter(flagged.contains) + flagged.subtracting(order).sorted()
    }

    /// Applies a person's decision on one field, validating a typed value by the field's own rule.
    func settle(_ item: QueueItem, field name: String, request: FieldRequest, session: ConsoleSession) throws -> SettleResult {
        let decision: FieldDecision
        if request.accept == true {
            decision = .accept
        } else if let value = request.value {
            if item.fields[name] != nil {
                let outcome = form?.template.field(named: name).map { FieldValidation.validate(value, field: $0) }
                if let outcome, !outcome.valid, request.force != true {
                    return .invalid(outcome.issues.map(\.description))
                }
                decision = .correct(StoredField(
                    value: outcome?.value ?? value, normalized: outcome?.normalized ?? value, confidence: 1,
                    valid: outcome?.valid ?? true, needsReview: false, issues: outcome?.issues.map(\.description) ?? []))
            } else if item.checkboxes[name] != nil {
                let options = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                if let group = form?.checkboxGroup(named: name) {
                    let known = Set(group.options.map(\.value))
                    let unknown = options.filter { !known.contains($0) }
                    if !unknown.isEmpty {
                        return .invalid(["not an option of this group: \(unknown.joined(separator: ", ")); options are \(group.options.map(\.value).joined(separator: ", "))"])
                    }
                }
                decision = .select(options)
            } else {
                throw HTTPError(.notFound, message: "item \(item.id) has no field \(name)")
            }
        } else {
            throw HTTPError(.badRequest, message: "send {\"value\": ...} or {\"accept\": true}")
        }
        let settlement = try store.settleField(id: item.id, name: name, decision: decision, by: session.user, at: clock.now())
        let next = settlement.verified ? try store.itemsNeedingReview(limit: 2).first { $0.id != item.id }?.id : nil
        return .settled(settlement, next: next)
    }

    enum SettleResult {
        case settled(FieldSettlement, next: ItemID?)
        case invalid([String])
    }

    /// Reprocesses one failed item and audits what happened.
    func reprocess(_ id: ItemID, session: ConsoleSession) async throws -> ReprocessLine {
        let outcome = try await reprocessing.reprocess(id)
        let line = ReprocessLine(outcome)
        try audit(session, .reprocess, item: id, detail: line.outcome)
        logger.info("reprocessed from the console", metadata: ["item": "\(id)", "outcome": "\(line.outcome)", "user": "\(session.user)"])
        return line
    }
}

extension FormDefinition {
    func checkboxGroup(named name: String) -> CheckboxGroupSpec? {
        template.checkboxGroups.first { $0.name == name }
    }
}

/// The body of `POST /api/items/{id}/fields/{name}`.
struct FieldRequest: Decodable {
    var value: String?
    var accept: Bool?
    /// Keep a value its validator refuses: the person read the paper and the paper is wrong.
    var force: Bool?
}

/// What reprocessing did to one item, as the API and the failed screen report it.
struct ReprocessLine: Codable, Sendable {
    var id: ItemID
    var outcome: String
    var route: String?
    var stage: String?
    var reason: String?
    var attempts: Int?

    init(_ outcome: Reprocessor.Outcome) {
        switch outcome {
        case .requeued(let id, let route, _):
            self.id = id; self.outcome = "requeued"; self.route = route
        case .unchanged(let id, let status):
            self.id = id; self.outcome = "unchanged_\(status.rawValue)"
        case .failedAgain(let id, let stage, let reason, let attempts):
            self.id = id; self.outcome = "failed"; self.stage = stage.rawValue; self.reason = reason; self.attempts = attempts
        }
    }
}

/// One info line per request: method, route pattern, status, user. Never a path's values or a body, which can carry PHI.
struct RequestLog: RouterMiddleware {
    typealias Context = ConsoleContext
    let logger: Logger

    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        func log(_ status: HTTPResponse.Status) {
            let elapsed = ContinuousClock.now - started
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            logger.info("request", metadata: [
                "method": "\(request.method.rawValue)", "route": "\(context.endpointPath ?? "unmatched")",
                "status": "\(status.code)", "ms": "\(String(format: "%.1f", ms))",
            ])
        }
        do {
            let response = try await next(request, context)
            log(response.status)
            return response
        } catch let error as HTTPResponseError {
            log(error.status)
            throw error
        } catch {
            log(.internalServerError)
            throw error
        }
    }
}

/// JSON as the CLI writes it: snake_case keys, ISO 8601 dates, sorted keys.
enum ConsoleJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
