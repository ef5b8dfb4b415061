import Foundation
import Hummingbird
import IntakeQueue

/// The JSON API under /api, which the pages use too, and /health and /metrics.
extension ConsoleApp {
    func addServiceRoutes(_ router: Hummingbird.Router<ConsoleContext>) {
        router.get("/health") { _, _ in
            try ConsoleJSON.response(["status": "ok"])
        }
        // Counts only (no PHI), so a Prometheus scraper needs no login.
        router.get("/metrics") { [metrics] _, _ -> Response in
            let bytes = metrics?.emitToBuffer() ?? []
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    func addAPIRoutes(_ router: Hummingbird.Router<ConsoleContext>) {
        let api = router.group("api")

        api.post("session") { request, context -> Response in
            let credentials = try await request.decode(as: Credentials.self, context: context)
            guard let session = try login(name: credentials.username, password: credentials.password) else {
                return try ConsoleJSON.response(["error": "wrong user name or password, or the account is locked for a while"], status: .unauthorized)
            }
            var response = try ConsoleJSON.response(["csrf_token": session.csrfToken])
            response.setCookie(sessionCookie(session))
            return response
        }

        api.delete("session") { request, context -> Response in
            let session = try context.requireSession()
            sessions.end(session.token)
            try audit(session, .logout)
            var response = Response(status: .noContent)
            response.setCookie(clearedCookie())
            return response
        }

        api.get("items") { request, context -> Response in
            _ = try context.requireSession()
            let listing = try listing(request)
            return try ConsoleJSON.response(ItemListJSON(
                items: listing.page.items.map(ItemRow.init), total: listing.page.total, page: listing.number, pageSize: listing.size))
        }

        api.get("items/{id}") { _, context -> Response in
            let session = try context.requireSession()
            let item = try item(context)
            try audit(session, .viewItem, item: item.id)
            return try ConsoleJSON.response(try itemDocument(item))
        }

        api.get("items/{id}/pages/{page}") { request, context -> Response in
            let session = try context.requireSession()
            let item = try item(context)
            let name = try context.parameters.require("page")
            guard name.hasSuffix(".png"), let number = Int(name.dropLast(4)) else { throw HTTPError(.notFound) }
            let scale = request.uri.queryParameters["scale"].flatMap { Double(String($0)) }
            guard scale.map({ $0 > 0 && $0 <= 1 }) ?? true else { throw HTTPError(.badRequest, message: "scale is a number in (0, 1]") }
            let png = try pagePNG(item, page: number, scale: scale)
            try audit(session, .viewPage, item: item.id, detail: "page \(number)")
            return Self.png(png)
        }

        api.get("items/{id}/fields/{name}/crop.png") { _, context -> Response in
            let session = try context.requireSession()
            let item = try item(context)
            let name = try context.parameters.require("name")
            let png: [UInt8]
            do { png = try renderer.cropPNG(item, field: name) } catch { throw HTTPError(.notFound, message: "\(error)") }
            try audit(session, .viewCrop, item: item.id, detail: name)
            return Self.png(png)
        }

        api.post("items/{id}/fields/{name}") { request, context -> Response in
            let session = try context.requireSession(.reviewer)
            let item = try item(context)
            let name = try context.parameters.require("name")
            let body = try await request.decode(as: FieldRequest.self, context: context)
            switch try settleOrConflict(item, field: name, request: body, session: session) {
            case .settled(let settlement, let next):
                return try ConsoleJSON.response(SettledJSON(
                    item: item.id, field: name, status: settlement.item.status, verified: settlement.verified, next: next,
                    remaining: flaggedNames(settlement.item)))
            case .invalid(let issues):
                return try ConsoleJSON.response(InvalidJSON(error: "the value does not pass the field's check", issues: issues), status: .unprocessableContent)
            }
        }

        api.post("items/{id}/reprocess") { _, context -> Response in
            let session = try context.requireSession(.operator)
            let item = try item(context)
            return try ConsoleJSON.response(try await reprocess(item.id, session: session))
        }

        api.get("audit") { request, context -> Response in
            let session = try context.requireSession(.admin)
            let query = request.uri.queryParameters
            var filter = AuditFilter(user: query["user"].map(String.init), limit: 10_000)
            if let item = query["item"] {
                guard let id = Int64(String(item)) else { throw HTTPError(.badRequest, message: "item is a number") }
                filter.item = ItemID(id)
            }
            if let since = query["since"] {
                guard let date = Self.parseSince(String(since)) else { throw HTTPError(.badRequest, message: "since is YYYY-MM-DD or an ISO 8601 time") }
                filter.since = date
            }
            let entries = try store.auditEntries(filter)
            try audit(session, .viewAudit)
            return try ConsoleJSON.response(entries.map(AuditJSON.init))
        }
    }

    // MARK: Helpers shared with the pages

    /// The queue listing a request asks for: route, status, flag and a 1-based page.
    func listing(_ request: Request) throws -> (page: ItemPage, number: Int, size: Int) {
        let query = request.uri.queryParameters
        let size = configuration.console.pageSize
        var itemQuery = ItemQuery(limit: size)
        if let route = query["route"], !route.isEmpty { itemQuery.route = String(route) }
        if let status = query["status"], !status.isEmpty {
            guard let parsed = ItemStatus(rawValue: String(status)) else { throw HTTPError(.badRequest, message: "unknown status") }
            itemQuery.status = parsed
        }
        if let flag = query["flag"], !flag.isEmpty { itemQuery.flag = ItemFlag(rawValue: String(flag)) }
        let number = max(1, query["page"].flatMap { Int(String($0)) } ?? 1)
        itemQuery.offset = (number - 1) * size
        return (try store.page(itemQuery), number, size)
    }

    func itemDocument(_ item: QueueItem) throws -> ItemDocument {
        let zones = (try? renderer.zones(item)) ?? []
        return ItemDocument(
            item: item, siblings: try store.siblings(of: item.id),
            zones: Dictionary(zones.map { ($0.name, $0.zone) }, uniquingKeysWith: { a, _ in a }),
            corrections: try store.corrections(item: item.id))
    }

    func pagePNG(_ item: QueueItem, page number: Int, scale: Double?) throws -> [UInt8] {
        do {
            return try renderer.pagePNG(item, page: number, scale: scale)
        } catch {
            throw HTTPError(.notFound, message: error.description)
        }
    }

    /// `settle`, with a refused change (a verified or failed item) as 409 rather than 500.
    func settleOrConflict(_ item: QueueItem, field name: String, request: FieldRequest, session: ConsoleSession) throws -> SettleResult {
        do {
            return try settle(item, field: name, request: request, session: session)
        } catch let error as QueueStoreError {
            switch error {
            case .invalidTransition, .statusChanged: throw HTTPError(.conflict, message: error.description)
            case .unknownField, .notFound: throw HTTPError(.notFound, message: error.description)
            default: throw error
            }
        }
    }

    static func png(_ bytes: [UInt8]) -> Response {
        // Private: a page of PHI must not sit in a shared cache.
        Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "private, max-age=300"],
                 body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func parseSince(_ text: String) -> Date? {
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        return day.date(from: text)
    }
}

struct Credentials: Decodable {
    var username: String
    var password: String
}

/// A listing row: no field values, like `queue list --json`.
struct ItemRow: Encodable {
    var id: ItemID
    var route: String
    var status: ItemStatus
    var priority: Priority
    var receivedAt: Date
    var dueBy: Date?
    var pageCount: Int
    var formPage: Int?
    var flags: [String]
    var failedStage: String?
    var failureReason: String?
    var attempts: Int?

    init(_ item: QueueItem) {
        id = item.id; route = item.route; status = item.status; priority = item.priority; receivedAt = item.receivedAt
        dueBy = item.dueBy; pageCount = item.pageCount; formPage = item.formPage; flags = item.flags.map(\.rawValue)
        failedStage = item.failure?.stage.rawValue; failureReason = item.failure?.reason; attempts = item.failure?.attempts
    }
}

struct ItemListJSON: Encodable {
    var items: [ItemRow]
    var total: Int
    var page: Int
    var pageSize: Int
}

/// `GET /api/items/{id}`: the item as `queue show --json` prints it, plus zones and corrections.
struct ItemDocument: Encodable {
    var item: QueueItem
    var siblings: [ItemID]
    var zones: [String: FieldZone]
    var corrections: [FieldCorrection]

    enum CodingKeys: String, CodingKey { case siblings, zones, corrections }

    func encode(to encoder: any Encoder) throws {
        try item.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(siblings, forKey: .siblings)
        try container.encode(zones, forKey: .zones)
        try container.encode(corrections, forKey: .corrections)
    }
}

struct SettledJSON: Encodable {
    var item: ItemID
    var field: String
    var status: ItemStatus
    var verified: Bool
    var next: ItemID?
    var remaining: [String]
}

struct InvalidJSON: Encodable {
    var error: String
    var issues: [String]
}

/// One audit entry as `/api/audit` gives it.
struct AuditJSON: Encodable {
    var user: String
    var action: String
    var item: ItemID?
    var at: Date
    var detail: String

    init(_ entry: AuditEntry) {
        user = entry.user; action = entry.action.rawValue; item = entry.item; at = entry.at; detail = entry.detail
    }

    enum CodingKeys: String, CodingKey { case user, action, item, at, detail }

    // Written out so `item` is null, not absent, on entries about no item.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(user, forKey: .user)
        try container.encode(action, forKey: .action)
        try container.encode(item, forKey: .item)
        try container.encode(at, forKey: .at)
        try container.encode(detail, forKey: .detail)
    }
}
