import Foundation
import Hummingbird
import IntakeQueue
import IntakePipeline
import Logging

/// The request context: Hummingbird's core storage plus the session the gate found, if any.
public struct ConsoleContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var session: ConsoleSession?

    public init(source: Source) {
        coreContext = .init(source: source)
        session = nil
    }

    /// The session, or 401: routes behind the gate always have one, this only guards against a mis-wired route.
    func requireSession(_ role: ConsoleRole = .reviewer) throws -> ConsoleSession {
        guard let session else { throw HTTPError(.unauthorized) }
        guard session.role.includes(role) else { throw HTTPError(.forbidden, message: "this needs the \(role) role") }
        return session
    }
}

/// Lets only logged-in users past, ends idle sessions, and refuses a POST (or DELETE) without the session's CSRF token.
///
/// Unauthenticated API calls answer 401, pages redirect to /login. The token comes in the `X-CSRF-Token`
/// header, or in a form's `csrf_token` field.
struct SessionGate: RouterMiddleware {
    typealias Context = ConsoleContext

    static let cookieName = "faxintake_session"
    static let csrfHeader = "x-csrf-token"

    let sessions: SessionStore
    let store: any ConsoleStore
    let clock: any Clock

    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if Self.isPublic(path, method: request.method) { return try await next(request, context) }
        var context = context
        var request = request
        let token = request.cookies[Self.cookieName]?.value
        switch token.map({ sessions.resume($0, at: clock.now()) }) ?? .unknown {
        case .active(let session):
            context.session = session
        case .expired(let session):
            _ = try? store.appendAudit(NewAuditEntry(at: clock.now(), user: session.user, action: .idleLogoff))
            return Self.unauthenticated(path)
        case .unknown:
            return Self.unauthenticated(path)
        }
        // Every request that changes something (POST, and DELETE of the session) carries the token.
        if request.method != .get, request.method != .head, let session = context.session {
            var offered = request.headers.first { $0.name.canonicalName == Self.csrfHeader }?.value
            if offered == nil, request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
                // Read the form once and hand the same bytes on, so the route can still decode it.
                let body = try await request.body.collect(upTo: context.maxUploadSize)
                request.body = .init(buffer: body)
                offered = FormFields(String(buffer: body))["csrf_token"]
            }
            guard let offered, constantTimeEqual(offered, session.csrfToken) else {
                return Response(status: .forbidden, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: #"{"error":"missing or wrong CSRF token"}"#)))
            }
        }
        return try await next(request, context)
    }

    static func isPublic(_ path: String, method: HTTPRequest.Method) -> Bool {
        switch path {
        case "/health", "/metrics", "/login": return true
        case "/api/session": return method == .post
        default: return path.hasPrefix("/assets/")
        }
    }

    static func unauthenticated(_ path: String) -> Response {
        if path.hasPrefix("/api/") {
            return Response(status: .unauthorized, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"error":"log in first"}"#)))
        }
        return Response(status: .seeOther, headers: [.location: "/login"])
    }
}

/// An `application/x-www-form-urlencoded` body as a dictionary (last value wins).
struct FormFields {
    private var values: [String: String] = [:]

    init(_ text: String) {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            guard let name = parts.first else { continue }
            values[name] = parts.count > 1 ? parts[1] : ""
        }
    }

    subscript(_ name: String) -> String? { values[name] }

    /// Every value of fields whose name starts with `prefix`, e.g. the ticked `item_12` boxes.
    func names(withPrefix prefix: String) -> [String] {
        values.keys.filter { $0.hasPrefix(prefix) }.sorted()
    }
}
