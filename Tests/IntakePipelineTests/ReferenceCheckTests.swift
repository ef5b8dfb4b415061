import Foundation
import IntakePipeline
import IntakeQueue
import Testing

/// Requests checked against the plan's roster, directory and ICD-10-CM, through the whole pipeline.
@Suite("Reference checks through the pipeline", .serialized) struct ReferenceCheckTests {
    static let reference = Paths.shared.appendingPathComponent("reference").path
    static let yaml = """
        reference:
          members: \(reference)/members.csv
          providers: \(reference)/providers.csv
          icd10cm: /usr/local/share/faxintake/icd10cm
        """

    /// Fine faxes and a fillable PDF whose expected conclusions (`reference/expected.json`) cover each status.
    @Test("member status, network status and their flags are what the plan's data says", arguments: [
        ("0002.tif", MemberStatus.eligible, NetworkStatus.in),
        ("0006.tif", .notEligible, .out),
        ("0009.tif", .notFound, .out),
        ("0012.tif", .notFound, .in),
        ("0020.pdf", .eligible, .out),
    ])
    func conclusions(file: String, member: MemberStatus, network: NetworkStatus) throws {
        let fixture = try PipelineFixture(extraYAML: Self.yaml)
        defer { fixture.remove() }
        try fixture.drop(file, into: file.hasSuffix(".pdf") ? "mail" : "fax", copyCorpusSidecar: file.hasSuffix(".tif"))
        let store = SQLiteQueueStore.inMemory()
        try fixture.runOnce(store: store)
        let item = try #require(try store.all().first)
        #expect(item.member?.status == member)
        #expect(item.servicingProvider?.network == network)
        #expect(item.flags.contains(.memberNotFound) == (member == .notFound))
        #expect(item.flags.contains(.memberNotEligible) == (member == .notEligible))
        #expect(item.flags.contains(.providerOutOfNetwork) == (network == .out))
        if member != .notFound {
            #expect(item.member?.plan?.isEmpty == false)
            // A member the roster confirms has a confident id that needs nobody.
            #expect(item.fields["member_id"]?.needsReview == false)
            #expect(item.fields["member_id"]?.normalized == (try JoinedFax.memberID(String(file.prefix(4)))))
        }
    }

    @Test("a member id one confusable digit off, with name and birth date agreeing, is corrected from the roster")
    func idCorrectedFromTheRoster() throws {
        let fixture = try PipelineFixture(extraYAML: Self.yaml)
        defer { fixture.remove() }
        // 0020's fillable form, its member id typed with one digit changed to a look-alike.
        let truth = try JoinedFax.memberID("0020")
        let swaps: [Character: Character] = ["0": "8", "8": "0", "1": "7", "7": "1", "3": "8", "5": "6", "6": "5", "2": "7", "9": "4", "4": "9"]
        var misread = Array(truth)
        misread[5] = swaps[misread[5]] ?? misread[5]
        #expect(String(misread) != truth)
        let pdf = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0020.pdf")))
        let patched = try #require(Self.replacing(truth, with: String(misread), in: pdf))
        try patched.write(to: URL(fileURLWithPath: fixture.spool + "/mail/0020.pdf"))
        let store = SQLiteQueueStore.inMemory()
        try fixture.runOnce(store: store)
        let item = try #require(try store.all().first)
        let id = try #require(item.fields["member_id"])
        #expect(id.normalized == truth)
        #expect(id.issues.contains { $0.contains("member roster") })
        #expect(item.member?.status == .eligible)
    }

    @Test("a sure id on no one, for a name and birth date on no one, is the member missing, not a misread; a namesake's is not")
    func memberMissingFromTheRoster() throws {
        let pdf = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0020.pdf")))
        let truth = try JoinedFax.memberID("0020")
        // Exact values (a fillable form): an id on no one, first with a surname on no one, then with the real name.
        let missingID = "99999999999"
        let withID = try #require(Self.replacing(truth, with: missingID, in: pdf))
        for (name, expectReview) in [("Qxqxz", false), ("Moore", true)] {
            let fixture = try PipelineFixture(extraYAML: Self.yaml)
            defer { fixture.remove() }
            let patched = name == "Moore" ? withID : try #require(Self.replacing("Moore", with: name, in: withID))
            try patched.write(to: URL(fileURLWithPath: fixture.spool + "/mail/0020.pdf"))
            let store = SQLiteQueueStore.inMemory()
            try fixture.runOnce(store: store)
            let item = try #require(try store.all().first)
            let id = try #require(item.fields["member_id"])
            if expectReview {
                // The name and birth date are a member's: the id read is doubted (and that member's proposed).
                #expect(id.needsReview)
                #expect(id.normalized == truth)
            } else {
                #expect(item.member?.status == .notFound)
                #expect(item.flags.contains(.memberNotFound))
                #expect(id.normalized == missingID)
                #expect(!id.needsReview)
            }
        }
    }

    @Test("names the roster and directory confirm take their spelling; a name that is someone else's is left as read")
    func namesSpelledAsOnFile() throws {
        let pdf = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0020.pdf")))
        // 0020's fillable form with a look-alike letter in each name, as a fax misreads them (the form's
        // values escape the comma, so the words are replaced).
        var patched = try #require(Self.replacing("Moore", with: "M0ore", in: pdf))
        patched = try #require(Self.replacing("Harris", with: "Harr1s", in: patched))
        patched = try #require(Self.replacing("Summit Orthopedic", with: "Summit 0rthopedic", in: patched))
        let item = try Self.queued(patched)
        let member = try #require(item.fields["member_name"])
        #expect(member.value == "Moore, Patricia")
        #expect(!member.needsReview)
        #expect(member.issues.contains { $0.contains("'M0ore, Patricia'") && $0.contains("member roster") }, "\(member.issues)")
        #expect(item.fields["requesting_provider_name"]?.value == "Jessica Harris, DO")
        #expect(item.fields["servicing_provider_name"]?.value == "Summit Orthopedic Surgery Center")

        // Another person's name on the same id and NPI is not respelled.
        var other = try #require(Self.replacing("Moore", with: "Mills", in: pdf))
        other = try #require(Self.replacing("Harris", with: "Hanson", in: other))
        let otherItem = try Self.queued(other)
        #expect(otherItem.fields["member_name"]?.value == "Mills, Patricia")
        #expect(otherItem.fields["requesting_provider_name"]?.value == "Jessica Hanson, DO")
        #expect(otherItem.fields["requesting_provider_name"]?.needsReview == true)
    }

    @Test("an address a couple of letters off, and a TIN one confusable digit off, take the directory's; another house does not")
    func addressAndDigitsFromTheDirectory() throws {
        let pdf = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0020.pdf")))
        // 0020's servicing site is on file at "4031 Lake St, Cincinnati, OH 45250", its requesting provider's
        // TIN 21-1074096. As a fax misreads them: St typed onto the rule's thick place reads 81; a 1 whose
        // flag ran into the top of the cell reads 7. (The value appears escaped and plain in the file.)
        var patched = try #require(Self.replacing("4031 Lake St", with: "4031 Lake 81", in: pdf))
        patched = try #require(Self.replacing("21\\0551074096", with: "21\\0557074096", in: patched))
        patched = Self.replacing("21-1074096", with: "21-7074096", in: patched) ?? patched
        let item = try Self.queued(patched)
        let address = try #require(item.fields["servicing_provider_address"])
        #expect(address.value == "4031 Lake St, Cincinnati, OH 45250")
        #expect(address.issues.contains { $0.contains("'4031 Lake 81, Cincinnati, OH 45250'") }, "\(address.issues)")
        let tin = try #require(item.fields["requesting_provider_tin"])
        #expect(tin.value == "21-1074096")
        #expect(tin.needsReview)
        #expect(tin.issues.contains { $0.contains("one digit taken from the provider directory") }, "\(tin.issues)")

        // Another house number is another place: left as read. A TIN two digits off disagrees.
        var other = try #require(Self.replacing("4031 Lake St", with: "4037 Lake St", in: pdf))
        other = try #require(Self.replacing("21\\0551074096", with: "21\\0557074036", in: other))
        other = Self.replacing("21-1074096", with: "21-7074036", in: other) ?? other
        let otherItem = try Self.queued(other)
        #expect(otherItem.fields["servicing_provider_address"]?.value == "4037 Lake St, Cincinnati, OH 45250")
        #expect(otherItem.fields["requesting_provider_tin"]?.value == "21-7074036")
        #expect(otherItem.fields["requesting_provider_tin"]?.issues.contains("disagrees with the provider directory") == true)
    }

    @Test("a member not covered on the service date read, but covered one misread digit away, sends the date to a person")
    func notCoveredOneDigitAway() throws {
        let pdf = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0020.pdf")))
        // 0020's member is covered from 2018-12-01 to 2028-01-13; its service starts 04/20/2026 and the request
        // is dated 06/12/2026 (the form's values escape the slashes). 2028 is after the coverage and one 6/8
        // confusion from 2026; nothing one digit from 2017 is covered; a 2028 that the request date's year
        // also reads is corroborated.
        for (year, requestYear, flagged) in [("2028", "2026", true), ("2017", "2026", false), ("2028", "2028", false)] {
            var patched = try #require(Self.replacing("04\\05720\\0572026", with: "04\\05720\\057\(year)", in: pdf))
            patched = try #require(Self.replacing("06\\05712\\0572026", with: "06\\05712\\057\(requestYear)", in: patched))
            let item = try Self.queued(patched)
            #expect(item.member?.status == .notEligible)
            let date = try #require(item.fields["service_start_date"])
            #expect(date.issues.contains { $0.contains("one misread digit away") } == flagged, "\(date.issues)")
            if flagged { #expect(date.needsReview) }
        }
    }

    /// The item a patched copy of 0020's fillable form becomes, dropped in the mail folder of a fresh pipeline.
    static func queued(_ pdf: Data) throws -> QueueItem {
        let fixture = try PipelineFixture(extraYAML: Self.yaml)
        defer { fixture.remove() }
        try pdf.write(to: URL(fileURLWithPath: fixture.spool + "/mail/0020.pdf"))
        let store = SQLiteQueueStore.inMemory()
        try fixture.runOnce(store: store)
        return try #require(try store.all().first)
    }

    /// The bytes with one ASCII string replaced by another of the same length (a PDF's offsets stay right).
    static func replacing(_ old: String, with new: String, in data: Data) -> Data? {
        let from = Array(old.utf8), to = Array(new.utf8)
        guard from.count == to.count else { return nil }
        var bytes = [UInt8](data)
        var found = false
        var i = 0
        while i + from.count <= bytes.count {
            if Array(bytes[i..<(i + from.count)]) == from {
                bytes.replaceSubrange(i..<(i + from.count), with: to)
                found = true
                i += from.count
            } else {
                i += 1
            }
        }
        return found ? Data(bytes) : nil
    }
}
