import FormExtraction
import Foundation
import HummingbirdBcrypt
import Hummingbird
import IntakePipeline
import IntakeQueue

/// The screens: server-rendered Mustache pages that use the API for what changes without a reload.
extension ConsoleApp {
    func addPageRoutes(_ router: Hummingbird.Router<ConsoleContext>) {
        router.get("/assets/console.css") { _, _ in Self.asset(Assets.css, type: "text/css; charset=utf-8") }
        router.get("/assets/console.js") { _, _ in Self.asset(Assets.js, type: "text/javascript; charset=utf-8") }

        router.get("/login") { _, _ in
            html("login", LoginView(error: nil, idleMinutes: Int(configuration.console.idleSeconds / 60)))
        }

        router.post("/login") { request, context -> Response in
            let form = try await Self.form(request, context)
            guard let session = try login(name: form["username"] ?? "", password: form["password"] ?? "") else {
                return html("login", LoginView(error: "Wrong user name or password, or the account is locked for a while.",
                                               idleMinutes: Int(configuration.console.idleSeconds / 60)), status: .unauthorized)
            }
            var response = Response(status: .seeOther, headers: [.location: "/"])
            response.setCookie(sessionCookie(session))
            return response
        }

        router.post("/logout") { _, context -> Response in
            let session = try context.requireSession()
            sessions.end(session.token)
            try audit(session, .logout)
            var response = Response(status: .seeOther, headers: [.location: "/login"])
            response.setCookie(clearedCookie())
            return response
        }

        router.get("/") { request, context -> Response in
            let session = try context.requireSession()
            return html("queues", try queuesView(request, session: session))
        }

        router.get("/items/{id}") { _, context -> Response in
            let session = try context.requireSession()
            let item = try item(context)
            try audit(session, .viewItem, item: item.id)
            return html("item", try itemView(item, session: session))
        }

        router.get("/items/{id}/verify") { _, context -> Response in
            let session = try context.requireSession()
            let item = try item(context)
            try audit(session, .viewItem, item: item.id, detail: "verify")
            let rows = flaggedNames(item).map { VerifyRow(item: item, name: $0, form: form) }
            return html("verify", VerifyView(page: pageInfo("Verify #\(item.id)", session), id: item.id.rawValue,
                                             rows: item.status == .queued || item.status == .processing ? rows : []))
        }

        router.post("/items/{id}/reprocess") { _, context -> Response in
            let session = try context.requireSession(.operator)
            let item = try item(context)
            _ = try await reprocess(item.id, session: session)
            return Response(status: .seeOther, headers: [.location: "/items/\(item.id)"])
        }

        router.get("/group") { request, context -> Response in
            let session = try context.requireSession()
            let kind = GroupKind(rawValue: request.uri.queryParameters["kind"].map(String.init) ?? "") ?? .memberID
            return html("group", try groupView(kind, session: session))
        }

        router.get("/failed") { _, context -> Response in
            let session = try context.requireSession()
            return html("failed", try failedView(session: session, results: []))
        }

        router.post("/failed/reprocess") { request, context -> Response in
            let session = try context.requireSession(.operator)
            let form = try await Self.form(request, context)
            let chosen: [Int64] = form["only"].flatMap(Int64.init).map { [$0] }
                ?? form.names(withPrefix: "item_").compactMap { Int64($0.dropFirst(5)) }
            var results: [ReprocessLine] = []
            for id in chosen { results.append(try await reprocess(ItemID(id), session: session)) }
            return html("failed", try failedView(session: session, results: results))
        }

        router.get("/report") { request, context -> Response in
            let session = try context.requireSession()
            let day = request.uri.queryParameters["day"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            return html("report", ReportView(page: pageInfo("Report", session), day: day, counts: try store.counts().map {
                CountRow(route: $0.route, status: $0.status.rawValue, count: $0.count)
            }))
        }

        router.get("/report/nightly") { request, context -> Response in
            _ = try context.requireSession()
            var day: Date?
            if let text = request.uri.queryParameters["day"], !text.isEmpty {
                guard let parsed = Self.parseSince(String(text)) else { throw HTTPError(.badRequest, message: "day is YYYY-MM-DD") }
                day = parsed
            }
            let report = try NightlyReport.build(store: store, day: day, configuration: configuration, now: clock.now())
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: report.html())))
        }

        router.get("/users") { _, context -> Response in
            let session = try context.requireSession(.admin)
            return html("users", try usersView(session: session, notice: nil))
        }

        router.post("/users") { request, context -> Response in
            let session = try context.requireSession(.admin)
            let form = try await Self.form(request, context)
            guard let name = form["name"], !name.isEmpty, let role = form["role"].flatMap(ConsoleRole.init(rawValue:)),
                  let password = form["password"], password.count >= 10 else {
                return html("users", try usersView(session: session, notice: "Give a name, a role and a password of 10 or more characters."), status: .badRequest)
            }
            do {
                try store.addUser(ConsoleUser(name: name, role: role, passwordHash: Bcrypt.hash(password, cost: 12), createdAt: clock.now()))
            } catch QueueStoreError.userExists {
                return html("users", try usersView(session: session, notice: "\(name) exists already."), status: .conflict)
            }
            try audit(session, .addUser, detail: "\(name) as \(role)")
            return html("users", try usersView(session: session, notice: "Added \(name) as \(role)."))
        }
    }

    // MARK: Views

    func pageInfo(_ title: String, _ session: ConsoleSession) -> PageInfo {
        PageInfo(title: title, user: session.user, role: session.role.rawValue, csrf: session.csrfToken, admin: session.role.includes(.admin),
                 idleSeconds: Int(configuration.console.idleSeconds))
    }

    func queuesView(_ request: Request, session: ConsoleSession) throws -> QueuesView {
        let query = request.uri.queryParameters
        let counts = try store.counts()
        let routes = Array(Set(counts.map(\.route)).union(configuration.routes)).sorted()
        let statuses = ItemStatus.allCases.map(\.rawValue)
        let routeRows = routes.map { route in
            RouteRow(name: route, cells: ItemStatus.allCases.map { status in
                CountRow(route: route, status: status.rawValue, count: counts.first { $0.route == route && $0.status == status }?.count ?? 0)
            }, total: counts.filter { $0.route == route }.reduce(0) { $0 + $1.count })
        }
        let listing = try listing(request)
        let pages = max(1, (listing.page.total + listing.size - 1) / listing.size)
        let route = query["route"].map(String.init) ?? ""
        let status = query["status"].map(String.init) ?? ""
        let flag = query["flag"].map(String.init) ?? ""
        func link(_ page: Int) -> String {
            var parts = URLComponents()
            parts.path = "/"
            parts.queryItems = [URLQueryItem(name: "route", value: route), URLQueryItem(name: "status", value: status),
                                URLQueryItem(name: "flag", value: flag), URLQueryItem(name: "page", value: String(page))]
            return parts.string ?? "/"
        }
        return QueuesView(
            page: pageInfo("Queues", session), statuses: statuses, routes: routeRows,
            routeOptions: routes.map { Option(value: $0, selected: $0 == route) },
            statusOptions: statuses.map { Option(value: $0, selected: $0 == status) }, flag: flag,
            total: listing.page.total, pageNumber: listing.number, pages: pages,
            previous: listing.number > 1 ? link(listing.number - 1) : nil, next: listing.number < pages ? link(listing.number + 1) : nil,
            items: listing.page.items.map(ListRow.init))
    }

    func itemView(_ item: QueueItem, session: ConsoleSession) throws -> ItemView {
        var zones: [ZoneBox] = []
        var size = (width: 0, height: 0)
        if let formPage = item.formPage, let found = try? renderer.displaySize(item, page: formPage) {
            size = found
            for (name, zone) in (try? renderer.zones(item)) ?? [] where item.fields[name] != nil || item.checkboxes[name] != nil {
                zones.append(ZoneBox(name: name, zone: zone, pageWidth: size.width, pageHeight: size.height,
                                     needsReview: item.fields[name]?.needsReview ?? item.checkboxes[name]?.needsReview ?? false))
            }
        }
        let order = (form?.template.fields.map(\.name) ?? []) + (form?.template.checkboxGroups.map(\.name) ?? [])
        let names = order.filter { item.fields[$0] != nil || item.checkboxes[$0] != nil }
            + Set(item.fields.keys).union(item.checkboxes.keys).subtracting(order).sorted()
        let fields = names.map { FieldRow(item: item, name: $0, form: form) }
        let pages = item.pageRange.map { Array($0.first...$0.last) } ?? (item.pageCount > 0 ? Array(1...item.pageCount) : [])
        let flagged = flaggedNames(item)
        return ItemView(
            page: pageInfo("Item #\(item.id)", session), id: item.id.rawValue, status: item.status.rawValue, route: item.route,
            priority: item.priority.rawValue, dueBy: Self.time(item.dueBy), receivedAt: Self.time(item.receivedAt),
            channel: item.channel.rawValue, pageCount: item.pageCount, pageRange: item.pageRange?.description,
            flags: item.flags.map(\.rawValue), formPage: item.formPage, displayWidth: size.width / 2, displayHeight: size.height / 2,
            zones: zones, fields: fields, thumbnails: pages.map { Thumb(id: item.id.rawValue, page: $0) },
            history: item.history.map { HistoryRow(at: Self.time($0.at), status: $0.status.rawValue, note: $0.note) },
            corrections: try store.corrections(item: item.id).map(CorrectionRow.init),
            siblings: try store.siblings(of: item.id).map(\.rawValue),
            canVerify: !flagged.isEmpty && (item.status == .queued || item.status == .processing), flaggedCount: flagged.count,
            canReprocess: item.status == .failed && session.role.includes(.operator),
            failure: item.failure.map { FailureView(stage: $0.stage.rawValue, reason: $0.reason, attempts: $0.attempts, permanent: $0.permanent) })
    }

    func groupView(_ kind: GroupKind, session: ConsoleSession) throws -> GroupView {
        let names = Set(form?.template.fields.filter { $0.validator == kind.validator }.map(\.name) ?? [])
        var rows: [VerifyRow] = []
        for item in try store.itemsNeedingReview(limit: 200) {
            for name in flaggedNames(item) where names.contains(name) {
                rows.append(VerifyRow(item: item, name: name, form: form))
            }
        }
        return GroupView(page: pageInfo("Group verification", session), kindLabel: kind.label,
                         kinds: GroupKind.allCases.map { KindOption(value: $0.rawValue, label: $0.label, selected: $0 == kind) }, rows: rows)
    }

    func failedView(session: ConsoleSession, results: [ReprocessLine]) throws -> FailedView {
        let items = try store.page(ItemQuery(status: .failed, limit: 500)).items
        return FailedView(page: pageInfo("Failed items", session), results: results, items: items.map { item in
            FailedRow(id: item.id.rawValue, stage: item.failure?.stage.rawValue ?? "", reason: item.failure?.reason ?? "",
                      attempts: item.failure?.attempts ?? 0, permanent: item.failure?.permanent ?? false, receivedAt: Self.time(item.receivedAt))
        }, canReprocess: session.role.includes(.operator))
    }

    func usersView(session: ConsoleSession, notice: String?) throws -> UsersView {
        UsersView(page: pageInfo("Users", session), notice: notice, users: try store.users().map {
            UserRow(name: $0.name, role: $0.role.rawValue, lockedUntil: $0.isLocked(at: clock.now()) ? Self.time($0.lockedUntil) : "")
        })
    }

    // MARK: Rendering

    func html(_ template: String, _ view: Any, status: HTTPResponse.Status = .ok) -> Response {
        let text = Templates.library.render(view, withTemplate: template) ?? "template \(template) missing"
        return Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            // Scripts and styles only from the console itself; zones are placed with inline style attributes.
            .contentSecurityPolicy: "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; frame-ancestors 'self'",
        ], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=3600"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func form(_ request: Request, _ context: ConsoleContext) async throws -> FormFields {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        return FormFields(String(buffer: body))
    }

    static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date) + "Z"
    }
}

/// What group verification gathers: the digits and dates people check fastest side by side.
enum GroupKind: String, CaseIterable {
    case memberID = "member_id"
    case npi
    case date

    var validator: FieldValidator {
        switch self {
        case .memberID: .memberID
        case .npi: .npi
        case .date: .date
        }
    }

    var label: String {
        switch self {
        case .memberID: "member IDs"
        case .npi: "NPIs"
        case .date: "dates"
        }
    }
}

// MARK: View models (plain values for Mustache)

struct PageInfo { var title: String; var user: String; var role: String; var csrf: String; var admin: Bool; var idleSeconds: Int }

/// Every page view has one, as `page`: the header reads it.
protocol PageView { var page: PageInfo { get } }

struct LoginView { var error: String?; var idleMinutes: Int }
struct Option { var value: String; var selected: Bool }
struct CountRow { var route: String; var status: String; var count: Int }
struct RouteRow { var name: String; var cells: [CountRow]; var total: Int }

struct ListRow {
    var id: Int64, route: String, status: String, priority: String, dueBy: String, receivedAt: String, pageCount: Int, flags: [String]
    init(_ item: QueueItem) {
        id = item.id.rawValue; route = item.route; status = item.status.rawValue; priority = item.priority.rawValue
        dueBy = ConsoleApp.time(item.dueBy); receivedAt = ConsoleApp.time(item.receivedAt); pageCount = item.pageCount
        flags = item.flags.map(\.rawValue)
    }
}

struct QueuesView: PageView {
    var page: PageInfo
    var statuses: [String]; var routes: [RouteRow]; var routeOptions: [Option]; var statusOptions: [Option]; var flag: String
    var total: Int; var pageNumber: Int; var pages: Int; var previous: String?; var next: String?; var items: [ListRow]
}

struct ZoneBox {
    var name: String, left: String, top: String, width: String, height: String, needsReview: Bool
    init(name: String, zone: FieldZone, pageWidth: Int, pageHeight: Int, needsReview: Bool) {
        func percent(_ v: Int, _ of: Int) -> String { String(format: "%.2f", 100 * Double(v) / Double(max(of, 1))) }
        self.name = name
        left = percent(zone.x, pageWidth); top = percent(zone.y, pageHeight)
        width = percent(zone.width, pageWidth); height = percent(zone.height, pageHeight)
        self.needsReview = needsReview
    }
}

struct FieldRow {
    var name: String, label: String, value: String, confidence: String, issues: String, needsReview: Bool
    init(item: QueueItem, name: String, form: FormDefinition?) {
        self.name = name
        if let field = item.fields[name] {
            label = form?.template.field(named: name)?.label ?? name
            value = field.value; confidence = String(format: "%.2f", field.confidence)
            issues = field.issues.joined(separator: "; "); needsReview = field.needsReview
        } else {
            let group = item.checkboxes[name]
            label = form?.checkboxGroup(named: name)?.label ?? name
            value = group?.selected.joined(separator: ", ") ?? ""; confidence = String(format: "%.2f", group?.confidence ?? 0)
            issues = ""; needsReview = group?.needsReview ?? false
        }
    }
}

struct VerifyRow {
    var item: Int64, name: String, label: String, machine: String, issues: String
    init(item: QueueItem, name: String, form: FormDefinition?) {
        self.item = item.id.rawValue
        self.name = name
        if let field = item.fields[name] {
            label = form?.template.field(named: name)?.label ?? name
            machine = field.value; issues = field.issues.joined(separator: "; ")
        } else {
            label = form?.checkboxGroup(named: name)?.label ?? name
            machine = item.checkboxes[name]?.selected.joined(separator: ",") ?? ""
            let options = form?.checkboxGroup(named: name)?.options.map(\.value) ?? []
            issues = options.isEmpty ? "" : "options: " + options.joined(separator: ", ")
        }
    }
}

struct Thumb { var id: Int64; var page: Int }
struct HistoryRow { var at: String; var status: String; var note: String }
struct CorrectionRow {
    var at: String, user: String, field: String, machine: String, person: String, accepted: Bool
    init(_ c: FieldCorrection) {
        at = ConsoleApp.time(c.at); user = c.user; field = c.field; machine = c.machineValue; person = c.personValue; accepted = c.accepted
    }
}
struct FailureView { var stage: String; var reason: String; var attempts: Int; var permanent: Bool }

struct ItemView: PageView {
    var page: PageInfo
    var id: Int64, status: String, route: String, priority: String, dueBy: String, receivedAt: String, channel: String
    var pageCount: Int, pageRange: String?, flags: [String], formPage: Int?, displayWidth: Int, displayHeight: Int
    var zones: [ZoneBox], fields: [FieldRow], thumbnails: [Thumb], history: [HistoryRow], corrections: [CorrectionRow]
    var siblings: [Int64], canVerify: Bool, flaggedCount: Int, canReprocess: Bool, failure: FailureView?
}

struct VerifyView: PageView { var page: PageInfo; var id: Int64; var rows: [VerifyRow] }
struct KindOption { var value: String; var label: String; var selected: Bool }
struct GroupView: PageView { var page: PageInfo; var kindLabel: String; var kinds: [KindOption]; var rows: [VerifyRow] }
struct FailedRow { var id: Int64, stage: String, reason: String, attempts: Int, permanent: Bool, receivedAt: String }
struct FailedView: PageView { var page: PageInfo; var results: [ReprocessLine]; var items: [FailedRow]; var canReprocess: Bool }
struct ReportView: PageView { var page: PageInfo; var day: String?; var counts: [CountRow] }
struct UserRow { var name: String; var role: String; var lockedUntil: String }
struct UsersView: PageView { var page: PageInfo; var notice: String?; var users: [UserRow] }
