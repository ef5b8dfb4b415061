import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IntakeQueue
import Testing

@testable import OperatorConsole

/// Logins, sessions, CSRF, roles, idle logoff and lockout, through the router.
@Suite("Console security")
struct SecurityRouteTests {
    @Test("without a session the API answers 401 and pages redirect to /login; /health and /metrics are open")
    func unauthenticated() async throws {
        let f = try ConsoleFixture()
        try await f.test { client in
            for uri in ["/api/items", "/api/items/1", "/api/items/1/pages/1.png", "/api/audit"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .unauthorized, "\(uri)") }
            }
            try await client.execute(uri: "/api/items/1/reprocess", method: .post) { #expect($0.status == .unauthorized) }
            for uri in ["/", "/items/1", "/failed", "/group", "/report", "/users"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .seeOther, "\(uri)")
                    #expect(response.headers[.location] == "/login")
                }
            }
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/login", method: .get) { #expect($0.status == .ok) }
            // A made-up session token is no session.
            try await client.execute(uri: "/api/items", method: .get, headers: [.cookie: "faxintake_session=0000"]) { #expect($0.status == .unauthorized) }
        }
    }

    @Test("a login answers the CSRF token and sets an HttpOnly, SameSite=Strict cookie; a wrong password 401")
    func login() async throws {
        let f = try ConsoleFixture()
        try await f.test { client in
            try await client.execute(
                uri: "/api/session", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"username":"rita","password":"\#(ConsoleFixture.password)"}"#)
            ) { response in
                #expect(response.status == .ok)
                let cookie = try #require(response.headers[.setCookie])
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"))
                let body = try #require(try json(response.body) as? [String: String])
                #expect(body["csrf_token"]?.count == 64)
            }
            do { let attempt = try await client.login("rita", password: "wrong"); #expect(attempt == nil) }
            do { let attempt = try await client.login("nobody"); #expect(attempt == nil) }
            try await client.execute(uri: "/api/session", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"username":"rita","password":"x"}"#)) { #expect($0.status == .unauthorized) }
        }
        let actions = try f.store.auditEntries(AuditFilter()).map(\.action)
        #expect(actions == [.login, .loginFailed, .loginFailed, .loginFailed])
    }

    @Test("under TLS the session cookie is Secure")
    func secureCookie() async throws {
        let f = try ConsoleFixture(secureCookies: true)
        try await f.test { client in
            try await client.execute(
                uri: "/api/session", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"username":"rita","password":"\#(ConsoleFixture.password)"}"#)
            ) { response in
                #expect(response.headers[.setCookie]?.contains("Secure") == true)
            }
        }
    }

    @Test("a POST without the session's CSRF token, or with another, is refused with 403; the header or a form field passes")
    func csrf() async throws {
        let f = try ConsoleFixture()
        let item = try f.insertItem()
        try await f.test { client in
            let login = try #require(try await client.login("rita"))
            let body = ByteBuffer(string: #"{"accept":true}"#)
            try await client.execute(uri: "/api/items/\(item.id)/fields/member_name", method: .post, headers: login.posting(csrf: ""), body: body) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/items/\(item.id)/fields/member_name", method: .post, headers: login.posting(csrf: String(repeating: "a", count: 64)), body: body) {
                #expect($0.status == .forbidden)
            }
            #expect(try f.store.corrections(item: item.id).isEmpty)
            try await client.execute(uri: "/api/items/\(item.id)/fields/member_name", method: .post, headers: login.posting(), body: body) {
                #expect($0.status == .ok)
            }
            // DELETE of the session needs the token too.
            try await client.execute(uri: "/api/session", method: .delete, headers: login.headers) { #expect($0.status == .forbidden) }
            // A form: the token as a field.
            try await client.execute(uri: "/logout", method: .post, headers: login.posting(json: false, csrf: ""), body: ByteBuffer(string: "x=1")) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/logout", method: .post, headers: login.posting(json: false, csrf: ""), body: ByteBuffer(string: "csrf_token=\(login.csrf)")) {
                #expect($0.status == .seeOther)
            }
            // Logged out: the old cookie is no session any more.
            try await client.execute(uri: "/api/items", method: .get, headers: login.headers) { #expect($0.status == .unauthorized) }
        }
    }

    @Test("roles: reviewers verify, operators also reprocess, admins also read the audit log and manage users")
    func roles() async throws {
        let f = try ConsoleFixture()
        let failed = try f.insertItem(status: .failed, n: 2)
        try await f.test { client in
            let rita = try #require(try await client.login("rita"))
            let otto = try #require(try await client.login("otto"))
            let ada = try #require(try await client.login("ada"))
            try await client.execute(uri: "/api/items/\(failed.id)/reprocess", method: .post, headers: rita.posting()) { #expect($0.status == .forbidden) }
            #expect(f.reprocessing.calls.withLock { $0 }.isEmpty)
            try await client.execute(uri: "/api/items/\(failed.id)/reprocess", method: .post, headers: otto.posting()) { response in
                #expect(response.status == .ok)
                let body = try #require(try json(response.body) as? [String: Any])
                #expect(body["outcome"] as? String == "failed" && body["attempts"] as? Int == 2)
            }
            #expect(f.reprocessing.calls.withLock { $0 } == [failed.id])
            for login in [rita, otto] {
                try await client.execute(uri: "/api/audit", method: .get, headers: login.headers) { #expect($0.status == .forbidden) }
                try await client.execute(uri: "/users", method: .get, headers: login.headers) { #expect($0.status == .forbidden) }
            }
            try await client.execute(uri: "/api/audit?item=\(failed.id)", method: .get, headers: ada.headers) { response in
                #expect(response.status == .ok)
                let entries = try #require(try json(response.body) as? [[String: Any]])
                #expect(entries.count == 1)
                #expect(entries.first?["user"] as? String == "otto")
                #expect(entries.first?["action"] as? String == "reprocess")
                #expect(entries.first?["item"] as? Int == Int(failed.id.rawValue))
                #expect(entries.first?["at"] is String)
            }
            try await client.execute(uri: "/api/audit?user=rita&since=2020-01-01", method: .get, headers: ada.headers) { response in
                let entries = try #require(try json(response.body) as? [[String: Any]])
                #expect(entries.map { $0["action"] as? String } == ["login"])
            }
            try await client.execute(uri: "/users", method: .post, headers: ada.posting(json: false),
                                     body: ByteBuffer(string: "name=nell&role=reviewer&password=long+enough+pw")) { #expect($0.status == .ok) }
            #expect(try f.store.user(named: "nell")?.role == .reviewer)
        }
    }

    @Test("a session idle for 15 minutes is logged off (and audited); activity keeps it alive")
    func idleLogoff() async throws {
        let f = try ConsoleFixture()
        try await f.test { client in
            let login = try #require(try await client.login("rita"))
            f.clock.advance(by: 14 * 60)
            try await client.execute(uri: "/api/items", method: .get, headers: login.headers) { #expect($0.status == .ok) }
            f.clock.advance(by: 14 * 60)
            try await client.execute(uri: "/api/items", method: .get, headers: login.headers) { #expect($0.status == .ok) }
            f.clock.advance(by: 15 * 60)
            try await client.execute(uri: "/api/items", method: .get, headers: login.headers) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/", method: .get, headers: login.headers) { #expect($0.status == .seeOther) }
        }
        #expect(try f.store.auditEntries(AuditFilter(user: "rita")).map(\.action) == [.login, .idleLogoff])
    }

    @Test("the idle limit is the pipeline's console.idle_minutes")
    func idleFromConfiguration() async throws {
        let f = try ConsoleFixture(console: "console: { idle_minutes: 2 }")
        try await f.test { client in
            let login = try #require(try await client.login("rita"))
            f.clock.advance(by: 121)
            try await client.execute(uri: "/api/items", method: .get, headers: login.headers) { #expect($0.status == .unauthorized) }
        }
    }

    @Test("five failed logins lock the account, even against the right password, until the lockout ends")
    func lockout() async throws {
        let f = try ConsoleFixture()
        try await f.test { client in
            for _ in 0..<5 { do { let attempt = try await client.login("otto", password: "guess"); #expect(attempt == nil) } }
            do { let attempt = try await client.login("otto"); #expect(attempt == nil) }
            f.clock.advance(by: 14 * 60)
            do { let attempt = try await client.login("otto"); #expect(attempt == nil) }
            f.clock.advance(by: 61)
            do { let attempt = try await client.login("otto"); #expect(attempt != nil) }
            // Another user is not affected by otto's lockout.
            do { let attempt = try await client.login("rita"); #expect(attempt != nil) }
        }
        let actions = try f.store.auditEntries(AuditFilter(user: "otto")).map(\.action)
        #expect(actions == Array(repeating: .loginFailed, count: 5) + [.lockedOut, .loginFailed, .loginFailed, .login])
        #expect(try f.store.auditEntries(AuditFilter(user: "otto")).filter { $0.detail == "account locked" }.count == 2)
    }
}
