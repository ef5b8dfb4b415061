import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IntakeQueue
import Testing

@testable import OperatorConsole

/// Items, pages, verification and their audit trail, through the router, on a real fax of the corpus.
@Suite("Console items and verification")
struct ItemRouteTests {
    @Test("GET /api/items/{id}: the item as queue show --json gives it, with zones in page pixels; the view is audited")
    func itemJSON() async throws {
        let f = try ConsoleFixture()
        let item = try f.insertItem()
        try await f.test { client in
            let login = try #require(try await client.login("rita"))
            try await client.execute(uri: "/api/items/\(item.id)", method: .get, headers: login.headers) { response in
                #expect(response.status == .ok)
                let body = try #require(try json(response.body) as? [String: Any])
                #expect(body["id"] as? Int == Int(item.id.rawValue))
                #expect(body["siblings"] as? [Int] == [])
                #expect((body["fields"] as? [String: Any])?["member_id"] != nil)
                #expect(body["history"] != nil && body["sha256"] != nil && body["archive_path"] != nil)
                let zones = try #require(body["zones"] as? [String: [String: Int]])
                let zone = try #require(zones["member_id"])
                // The field map puts the member ID at 118 pt from the left, 218 pt down, 252 pt wide: on a
                // 1728-pixel-wide fax page (2.82 px/pt) about x 334, y 615, 711 wide, give or take registration.
                #expect(zone["page"] == 2)
                #expect((280...400).contains(zone["x"] ?? 0) && (520...700).contains(zone["y"] ?? 0))
                #expect((650...770).contains(zone["width"] ?? 0) && (20...80).contains(zone["height"] ?? 0))
            }
            try await client.execute(uri: "/api/items/999", method: .get, headers: login.headers) { #expect($0.status == .notFound) }
        }
        #expect(try f.store.auditEntries(AuditFilter(item: item.id)).map(\.action) == [.viewItem])
    }

    @Test("page images and crops are PNGs drawn from the archived original, and each view is audited")
    func images() async throws {
        let f = try ConsoleFixture()
        let item = try f.insertItem()
        try await f.test { client in
            let login = try #require(try await client.login("rita"))
            for uri in ["/api/items/\(item.id)/pages/2.png?scale=0.25", "/api/items/\(item.id)/pages/1.png", "/api/items/\(item.id)/fields/member_id/crop.png"] {
                try await client.execute(uri: uri, method: .get, headers: login.headers) { response in
                    #expect(response.status == .ok, "\(uri)")
                    #expect(response.headers[.contentType] == "image/png")
                    #expect(Array(response.body.readableBytesView.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
                }
            }
            try await client.execute(uri: "/api/items/\(item.id)/pages/9.png", method: .get, headers: login.headers) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/items/\(item.id)/pages/1.png?scale=3", method: .get, headers: login.headers) { #expect($0.status == .badRequest) }
        }
        let entries = try f.store.auditEntries(AuditFilter(item: item.id))
        #expect(entries.map(\.action) == [.viewPage, .viewPage, .viewCrop])
        #expect(entries.map(\.detail) == ["page 2", "page 1", "member_id"])
    }

    @Test("settling the flagged fields: the validator refuses a bad value (422) unless kept; the last one verifies the item")
    func verification() async throws {
        let f = try ConsoleFixture()
        let item = try f.insertItem()
        let next = try f.insertItem(n: 2)
        try await f.test { client in
            let login = try #require(try await client.login("rita"))
            let url = "/api/items/\(item.id)/fields/member_id"
            try await client.execute(uri: url, method: .post, headers: login.posting(), body: ByteBuffer(string: #"{"value":"25091352"}"#)) { response in
                #expect(response.status == .unprocessableContent)
                let body = try #require(try json(response.body) as? [String: Any])
                #expect((body["issues"] as? [String])?.isEmpty == false)
            }
            try await client.execute(uri: url, method: .post, headers: login.posting(), body: ByteBuffer(string: #"{"value":"25091352263"}"#)) { response in
                #expect(response.status == .ok)
                let body = try #require(try json(response.body) as? [String: Any])
                #expect(body["verified"] as? Bool == false)
                #expect(body["remaining"] as? [String] == ["member_name"])
            }
            try await client.execute(uri: "/api/items/\(item.id)/fields/member_name", method: .post, headers: login.posting(),
                                     body: ByteBuffer(string: #"{"accept":true}"#)) { response in
                #expect(response.status == .ok)
                let body = try #require(try json(response.body) as? [String: Any])
                #expect(body["verified"] as? Bool == true)
                #expect(body["status"] as? String == "verified")
                #expect(body["next"] as? Int == Int(next.id.rawValue))
            }
            // Settled is settled: no more changes to a verified item.
            try await client.execute(uri: url, method: .post, headers: login.posting(), body: ByteBuffer(string: #"{"accept":true}"#)) {
                #expect($0.status == .conflict)
            }
            try await client.execute(uri: "/api/items/\(next.id)/fields/nope", method: .post, headers: login.posting(), body: ByteBuffer(string: #"{"accept":true}"#)) {
                #expect($0.status == .notFound)
            }
        }
        let stored = try #require(try f.store.item(id: item.id))
        #expect(stored.status == .verified)
        #expect(stored.fields["member_id"]?.value == "25091352263" && stored.fields["member_id"]?.valid == true)
        let corrections = try f.store.corrections(item: item.id)
        #expect(corrections.map(\.field) == ["member_id", "member_name"])
        #expect(corrections[0].machineValue == "2509135226B" && corrections[0].personValue == "25091352263" && corrections[0].user == "rita")
        #expect(corrections[1].accepted)
        #expect(try f.store.auditEntries(AuditFilter(item: item.id)).map(\.action) == [.correctField, .acceptField, .verifyItem])
    }

    @Test("a value the validator refuses can be kept on purpose with force")
    func forcedValue() async throws {
        let f = try ConsoleFixture()
        let item = try f.insertItem()
        try await f.test { client in
            let login = try #require(try await client.login("rita"))
            try await client.execute(uri: "/api/items/\(item.id)/fields/member_id", method: .post, headers: login.posting(),
                                     body: ByteBuffer(string: #"{"value":"2509","force":true}"#)) { #expect($0.status == .ok) }
        }
        #expect(try f.store.item(id: item.id)?.fields["member_id"]?.valid == false)
    }

    @Test("the screens render for a logged-in user: queues, item with zones and thumbnails, verify, group, failed, report")
    func screens() async throws {
        let f = try ConsoleFixture()
        let item = try f.insertItem()
        let failed = try f.insertItem(status: .failed, n: 2)
        try await f.test { client in
            let login = try #require(try await client.login("otto"))
            func page(_ uri: String) async throws -> String {
                try await client.execute(uri: uri, method: .get, headers: login.headers) { response in
                    #expect(response.status == .ok, "\(uri)")
                    return String(buffer: response.body)
                }
            }
            let queues = try await page("/?status=queued&flag=needs_review")
            #expect(queues.contains("href=\"/items/\(item.id)\"") && queues.contains("needs_review"))
            let screen = try await page("/items/\(item.id)")
            #expect(screen.contains("class=\"zone flagged\"") && screen.contains("/api/items/\(item.id)/pages/1.png?scale=0.1"))
            #expect(screen.contains("Quixote, Alonso"))
            let verify = try await page("/items/\(item.id)/verify")
            #expect(verify.contains("data-field=\"member_id\"") && verify.contains("data-field=\"member_name\""))
            #expect(!verify.contains("data-field=\"member_dob\""))
            // Form order: the name comes before the ID on the form.
            #expect(verify.range(of: "data-field=\"member_name\"")!.lowerBound < verify.range(of: "data-field=\"member_id\"")!.lowerBound)
            let group = try await page("/group?kind=member_id")
            #expect(group.contains("/api/items/\(item.id)/fields/member_id/crop.png"))
            let failedScreen = try await page("/failed")
            #expect(failedScreen.contains("name=\"item_\(failed.id)\"") && failedScreen.contains("cannot decode"))
            _ = try await page("/report")
            _ = try await page("/report/nightly")
            _ = try await page("/assets/console.js")
            try await client.execute(uri: "/failed/reprocess", method: .post, headers: login.posting(json: false),
                                     body: ByteBuffer(string: "csrf_token=\(login.csrf)&item_\(failed.id)=1")) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("#\(failed.id): failed"))
            }
        }
        #expect(f.reprocessing.calls.withLock { $0 } == [failed.id])
    }

    @Test("the info log holds no PHI: no field value, name, id or date of birth, whatever was viewed or corrected")
    func noPHIInLog() async throws {
        let f = try ConsoleFixture()
        let item = try f.insertItem()
        try await f.test { client in
            let login = try #require(try await client.login("rita"))
            for uri in ["/items/\(item.id)", "/api/items/\(item.id)", "/items/\(item.id)/verify", "/group?kind=member_id", "/api/items?flag=needs_review"] {
                try await client.execute(uri: uri, method: .get, headers: login.headers) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/api/items/\(item.id)/fields/member_name", method: .post, headers: login.posting(),
                                     body: ByteBuffer(string: #"{"value":"Quixano, Alonso"}"#)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/items/\(item.id)/fields/member_id", method: .post, headers: login.posting(),
                                     body: ByteBuffer(string: #"{"value":"25091352264"}"#)) { #expect($0.status == .ok) }
        }
        let log = f.logs.text
        #expect(log.contains("request"))
        for phi in ["Quixote", "Quixano", "Alonso", "2509135226", "25091352264", "03/14/1961", "1961-03-14"] {
            #expect(!log.contains(phi), "the log holds \(phi)")
        }
    }
}
