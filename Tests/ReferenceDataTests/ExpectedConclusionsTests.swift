import Foundation
import ReferenceData
import Testing

/// `../shared/reference/expected.json`: what the member and servicing-provider look-ups must conclude for
/// every corpus document, given its true field values.
@Suite struct ExpectedConclusionsTests {
    struct Case {
        let key: String
        let fields: [String: String]
        let inNetworkBox: [String]
        let member: String
        let network: String
    }

    static func cases() throws -> [Case] {
        let expected = try Shared.json("reference/expected.json")
        return try expected.keys.sorted().map { key in
            let conclusion = expected[key] as! [String: String]
            let corpus = key.split(separator: "/")[0], stem = key.split(separator: "/")[1].split(separator: ".")[0]
            let truth = try Shared.json("\(corpus)/\(stem).truth.json")
            let groups = truth["checkbox_groups"] as! [String: [String]]
            return Case(key: key, fields: truth["fields"] as! [String: String], inNetworkBox: groups["servicing_in_network"] ?? [],
                        member: conclusion["member"]!, network: conclusion["servicing_network"]!)
        }
    }

    @Test func everyCorpusDocumentConcludesAsExpected() throws {
        let cases = try Self.cases()
        #expect(cases.count == 80)
        let members = MemberMatcher(roster: Shared.roster)
        let providers = ProviderMatcher(directory: Shared.directory)
        var memberAgree = 0, networkAgree = 0
        for c in cases {
            let f = c.fields
            let match = members.match(MemberQuery(
                memberID: f["member_id"], memberIDValid: true, memberIDSure: true, name: f["member_name"],
                dateOfBirth: f["member_dob"].flatMap(isoDate), serviceStart: f["service_start_date"].flatMap(isoDate)))
            let expected: MemberMatch.Status = switch c.member {
            case "eligible": .eligible
            case "member_not_eligible": .notEligible
            default: .notFound
            }
            if match.status == expected { memberAgree += 1 } else { Issue.record("\(c.key): member \(match.status), expected \(c.member); \(match.issues)") }
            // True values are never corrected, and a member found is confirmed whole.
            #expect(match.correctedID == nil, "\(c.key)")
            if match.member != nil { #expect(match.isConfirmed, "\(c.key): \(match.issues)") }

            let servicing = providers.checkServicing(npi: f["servicing_provider_npi"], box: InNetworkBox(ticked: c.inNetworkBox))
            if servicing.network.rawValue == c.network { networkAgree += 1 } else { Issue.record("\(c.key): network \(servicing.network), expected \(c.network)") }
            #expect(!servicing.conflict, "\(c.key)")
        }
        print("expected.json agreement: member \(memberAgree)/\(cases.count), servicing_network \(networkAgree)/\(cases.count)")
        #expect(memberAgree == cases.count)
        #expect(networkAgree == cases.count)
    }

    /// The requesting provider's true name, TIN, phone and fax never disagree with the directory.
    @Test func trueRequestingProvidersAreConfirmed() throws {
        let providers = ProviderMatcher(directory: Shared.directory)
        for c in try Self.cases() {
            let f = c.fields
            let check = providers.checkRequesting(npi: f["requesting_provider_npi"], name: f["requesting_provider_name"],
                                                  tin: f["requesting_provider_tin"], phone: f["requesting_provider_phone"],
                                                  fax: f["requesting_provider_fax"])
            #expect(check.npi == .found, "\(c.key)")
            #expect(check.name == .confirmed, "\(c.key): \(f["requesting_provider_name"] ?? "") vs \(check.provider?.name ?? "-")")
            for (what, result) in [("tin", check.tin), ("phone", check.phone), ("fax", check.fax)] {
                #expect(result == .confirmed || result == .notRead, "\(c.key) \(what): \(result)")
            }
        }
    }
}

/// The corpus members' ids, misread by every single confusable digit: a correction is always to the true
/// member (the roster's near-miss decoys have other names and birth dates), never to another.
@Suite struct MisreadCorpusIDTests {
    @Test func everySingleConfusionOfACorpusIDIsCorrectedToTheTrueMemberOrNotAtAll() throws {
        let members = MemberMatcher(roster: Shared.roster)
        var corrected = 0, uncorrected = 0
        for c in try ExpectedConclusionsTests.cases() {
            let f = c.fields
            let id = f["member_id"]!
            // Unsure or sure, the true id reaches the same conclusion.
            let base = MemberQuery(memberID: id, memberIDValid: true, memberIDSure: false, name: f["member_name"],
                                   dateOfBirth: f["member_dob"].flatMap(isoDate), serviceStart: f["service_start_date"].flatMap(isoDate))
            let truth = members.match(base)
            #expect(truth.correctedID == nil, "\(c.key)")
            for variant in OCRConfusions.digitVariants(of: id, maxSubstitutions: 1) {
                for sure in [false, true] {
                    var q = base
                    q.memberID = variant
                    q.memberIDSure = sure
                    let r = members.match(q)
                    if let fixed = r.correctedID {
                        #expect(fixed == id, "\(c.key): \(variant) corrected to \(fixed)")
                        #expect(r.status == truth.status, "\(c.key): \(variant)")
                        corrected += 1
                    } else {
                        // Not corrected: only when the true member is not on the roster.
                        #expect(truth.member == nil, "\(c.key): \(variant) not corrected; \(r.issues)")
                        #expect(r.member == nil || r.confirmed.isEmpty, "\(c.key): \(variant) confirmed another member")
                        uncorrected += 1
                    }
                }
            }
        }
        print("single confusable-digit misreads of corpus ids: \(corrected) corrected to the true member, \(uncorrected) left (member not on the roster), 0 wrong")
    }
}
