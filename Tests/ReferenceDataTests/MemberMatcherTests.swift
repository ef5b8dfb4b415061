import Foundation
import ReferenceData
import Testing

/// Drawn cases, each isolating one difficulty of the member match, on a small roster written for it.
@Suite struct MemberMatcherTests {
    static let header = "member_id,last_name,first_name,date_of_birth,sex,plan,coverage_start,coverage_end\n"
    let folder = TemporaryFolder()

    func matcher(_ rows: String) throws -> MemberMatcher {
        let path = folder.write("members.csv", Self.header + rows)
        return MemberMatcher(roster: try MemberRoster.load(path: path, columns: .init()))
    }

    func query(_ id: String?, sure: Bool = false, valid: Bool = true, name: String?, dob: String?, service: String? = "2026-05-01") -> MemberQuery {
        MemberQuery(memberID: id, memberIDValid: valid, memberIDSure: sure, name: name, dateOfBirth: dob, serviceStart: service)
    }

    @Test func exactIDWithAgreeingNameAndBirthDateConfirmsAllThree() throws {
        let m = try matcher("10000000001,Smith,John,1980-01-01,M,Plan A,2020-01-01,\n")
        let r = m.match(query("10000000001", sure: true, name: "SMITH, JOHN", dob: "1980-01-01"))
        #expect(r.status == .eligible)
        #expect(r.isConfirmed)
        #expect(r.correctedID == nil)
    }

    @Test func nameOrderAndCaseAreForgiven() throws {
        let m = try matcher("10000000001,Smith,John,1980-01-01,M,Plan A,2020-01-01,\n")
        for name in ["SMITH, JOHN", "John Smith", "john  smith", "Smith John", "SMITH , John.", "John Q. Smith"] {
            #expect(m.match(query("10000000001", sure: true, name: name, dob: "1980-01-01")).isConfirmed, "\(name)")
        }
    }

    @Test func ocrConfusionsInTheNameAreForgiven() throws {
        let m = try matcher("10000000001,Hernandez,Kim,1980-01-01,F,Plan A,2020-01-01,\n")
        // rn/m in a short name, one letter off in a long one, a lowercase l read for a capital I.
        for name in ["Hernandez, Kirn", "Hemandez, Kim", "HERNANDEZ, K1M", "Hernandez, Kim"] {
            #expect(m.match(query("10000000001", sure: true, name: name, dob: "1980-01-01")).isConfirmed, "\(name)")
        }
    }

    @Test func aDifferentFirstNameIsADifferentPerson() throws {
        let m = try matcher("10000000001,Smith,John,1980-01-01,M,Plan A,2020-01-01,\n")
        for name in ["Smith, Jane", "Smith, Joan", "Jon Smith"] {
            let r = m.match(query("10000000001", sure: true, name: name, dob: "1980-01-01"))
            #expect(!r.isConfirmed, "\(name)")
            #expect(r.issues.contains(.nameDisagrees), "\(name)")
        }
    }

    @Test func anIDOneConfusableDigitOffIsCorrectedWhenNameAndBirthDateAgree() throws {
        let m = try matcher("10000000001,Smith,John,1980-01-01,M,Plan A,2020-01-01,\n")
        let r = m.match(query("10000000007", sure: false, name: "John Smith", dob: "1980-01-01"))
        #expect(r.correctedID == "10000000001")
        #expect(r.member?.id == "10000000001")
        #expect(r.status == .eligible)
        #expect(r.isConfirmed)
        #expect(r.issues.contains(.idCorrected(from: "10000000007", to: "10000000001")))
        #expect(r.issues.map(\.description).contains { $0.contains("corrected from the member roster") })
    }

    @Test func twoConfusableDigitsOffIsCorrectedToo() throws {
        let m = try matcher("10000000001,Smith,John,1980-01-01,M,Plan A,2020-01-01,\n")
        #expect(m.match(query("10080000007", name: "John Smith", dob: "1980-01-01")).correctedID == "10000000001")
        // Three is too far.
        #expect(m.match(query("10080080007", name: "John Smith", dob: "1980-01-01")).correctedID == nil)
    }

    @Test func twoCandidatesAreNotCorrected() throws {
        // 7 is confusable with both 1 and 4: two members, same name and birth date, either could be meant.
        let m = try matcher("""
            10000000001,Smith,John,1980-01-01,M,Plan A,2020-01-01,
            10000000004,Smith,John,1980-01-01,M,Plan A,2020-01-01,

            """)
        let r = m.match(query("10000000007", name: "John Smith", dob: "1980-01-01"))
        #expect(r.correctedID == nil)
        #expect(r.member == nil)
        #expect(r.status == .notFound)
        #expect(r.issues.contains(.ambiguous(candidates: ["10000000001", "10000000004"])))
    }

    @Test func aNearMissIDOfSomeoneElseIsNeverCorrected() throws {
        let m = try matcher("20000000001,Garcia,Maria,1980-01-01,F,Plan A,2020-01-01,\n")
        // Same birth date, other name: not a correction, however unsure the id.
        let r = m.match(query("20000000007", name: "John Smith", dob: "1980-01-01"))
        #expect(r.correctedID == nil)
        #expect(r.member == nil)
        #expect(r.status == .notFound)
    }

    @Test func anExactIDWhoseNameDisagreesIsNotAConfirmation() throws {
        let m = try matcher("20000000001,Garcia,Maria,1980-01-01,F,Plan A,2020-01-01,\n")
        let r = m.match(query("20000000001", sure: true, name: "John Smith", dob: "1980-01-01"))
        #expect(r.confirmed.isEmpty)
        #expect(r.issues.contains(.nameDisagrees))
        #expect(r.correctedID == nil)
    }

    @Test func anExactIDOfADecoyIsCorrectedToTheOneMemberWhoseNameAndBirthDateAgree() throws {
        // The issue's silent error: a sure read one digit off lands on another member.
        let m = try matcher("""
            30000000001,Moore,Kwame,2011-05-02,M,Plan A,2020-01-01,
            30000000007,Rodriguez,Aisha,2018-01-28,F,Plan A,2020-01-01,

            """)
        let r = m.match(query("30000000007", sure: true, name: "MOORE, Kwame", dob: "2011-05-02"))
        #expect(r.correctedID == "30000000001")
        #expect(r.isConfirmed)
    }

    @Test func aNamesakeWithAnotherBirthDateIsNotConfirmed() throws {
        let m = try matcher("""
            10000000001,Smith,John,1980-01-01,M,Plan A,2020-01-01,
            10000000999,Smith,John,1975-06-15,M,Plan A,2020-01-01,

            """)
        let r = m.match(query("10000000001", sure: true, name: "John Smith", dob: "1975-06-15"))
        #expect(!r.isConfirmed)
        #expect(r.issues.contains(.dateOfBirthDisagrees))
        #expect(r.correctedID == nil)  // 10000000999 is not within confusion distance
        // With the id unreadable, name and birth date pick the namesake born that day, and only that one.
        let byName = m.match(query(nil, valid: false, name: "John Smith", dob: "1975-06-15"))
        #expect(byName.member?.id == "10000000999")
        #expect(byName.correctedID == "10000000999")
        #expect(byName.issues.contains(.identifiedByNameAndBirthDate(id: "10000000999")))
    }

    @Test func anUnreadableIDWithTwoMatchesByNameAndBirthDateFindsNobody() throws {
        let m = try matcher("""
            10000000001,Smith,John,1980-01-01,M,Plan A,2020-01-01,
            55555555555,Smith,John,1980-01-01,M,Plan B,2020-01-01,

            """)
        let r = m.match(query("", valid: false, name: "John Smith", dob: "1980-01-01"))
        #expect(r.member == nil)
        #expect(r.status == .notFound)
    }

    @Test func coverageIsCheckedAgainstTheServiceDate() throws {
        let m = try matcher("""
            10000000001,Smith,John,1980-01-01,M,Plan A,2020-01-01,2026-03-31
            10000000002,Jones,Mary,1970-02-02,F,Plan A,2026-06-01,

            """)
        let ended = m.match(query("10000000001", sure: true, name: "John Smith", dob: "1980-01-01", service: "2026-04-01"))
        #expect(ended.status == .notEligible)
        #expect(ended.isConfirmed)
        #expect(ended.issues.contains(.notCovered(on: DayDate("2026-04-01")!)))
        // Both ends are inclusive.
        #expect(m.match(query("10000000001", sure: true, name: "John Smith", dob: "1980-01-01", service: "2026-03-31")).status == .eligible)
        #expect(m.match(query("10000000002", sure: true, name: "Mary Jones", dob: "1970-02-02", service: "2026-05-31")).status == .notEligible)
        #expect(m.match(query("10000000002", sure: true, name: "Mary Jones", dob: "1970-02-02", service: "2026-06-01")).status == .eligible)
        // No service date: judged as of today.
        let today = DayDate("2026-04-15")!
        let r = m.match(query("10000000001", sure: true, name: "John Smith", dob: "1980-01-01", service: nil), today: today)
        #expect(r.status == .notEligible)
        #expect(r.issues.contains(.coverageCheckedForToday(today)))
    }
}
