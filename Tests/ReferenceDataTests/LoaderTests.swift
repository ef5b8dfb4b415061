import Foundation
import ReferenceData
import Synchronization
import Testing

/// The roster and directory loaders: CSV details, and errors an administrator can act on.
@Suite struct LoaderTests {
    static let header = "member_id,last_name,first_name,date_of_birth,sex,plan,coverage_start,coverage_end"
    let folder = TemporaryFolder()

    func loadError(_ text: String, columns: ReferenceColumns.Members = .init()) -> ReferenceError? {
        let path = folder.write("members.csv", text)
        do {
            _ = try MemberRoster.load(path: path, columns: columns)
            return nil
        } catch {
            return error
        }
    }

    @Test func sharedReferenceFilesLoad() {
        #expect(Shared.roster.count == 20_000)
        #expect(Shared.directory.count == 4_000)
        let moore = Shared.roster.member(id: "12009603441")
        #expect(moore?.lastName == "Moore")
        #expect(moore?.dateOfBirth == DayDate(year: 2011, month: 5, day: 2))
        #expect(moore?.coverageEnd == nil)
        let lee = Shared.directory.provider(npi: "1416854978")
        #expect(lee?.name == "Lee, Aisha, NP")
        #expect(lee?.kind == .individual)
        #expect(lee?.network == .outOfNetwork)
        #expect(lee?.address == nil)
    }

    @Test func quotesCRLFAndByteOrderMark() throws {
        let text = "\u{FEFF}" + Self.header + "\r\n"
            + "\"10000000001\",\"O'Brien, Jr\",\"Mary \"\"Mo\"\"\",1980-01-01,F,\"Plan, with comma\",2020-01-01,\r\n"
            + "\r\n"
            + "10000000002,\"Multi\nLine\",Ann,1981-02-03,F,Plan A,2020-01-01,2030-12-31\r\n"
        let path = folder.write("members.csv", text)
        let roster = try MemberRoster.load(path: path, columns: .init())
        #expect(roster.count == 2)
        let first = try #require(roster.member(id: "10000000001"))
        #expect(first.lastName == "O'Brien, Jr")
        #expect(first.firstName == "Mary \"Mo\"")
        #expect(first.plan == "Plan, with comma")
        #expect(roster.member(id: "10000000002")?.lastName == "Multi\nLine")
        #expect(roster.member(id: "10000000002")?.coverageEnd == DayDate("2030-12-31"))
    }

    @Test func otherColumnNamesAndOrder() throws {
        let path = folder.write("elig.csv", "MBR_ID,DOB,LNAME,FNAME,GENDER,PRODUCT,EFF,TERM\n10000000001,1980-01-01,Smith,John,M,HMO,2020-01-01,\n")
        var columns = ReferenceColumns.Members()
        columns.memberID = "MBR_ID"; columns.dateOfBirth = "DOB"; columns.lastName = "LNAME"; columns.firstName = "FNAME"
        columns.sex = "GENDER"; columns.plan = "PRODUCT"; columns.coverageStart = "EFF"; columns.coverageEnd = "TERM"
        let roster = try MemberRoster.load(path: path, columns: columns)
        #expect(roster.member(id: "10000000001")?.firstName == "John")
    }

    @Test func aMissingFileNamesThePath() {
        let path = folder.path + "/nowhere.csv"
        do {
            _ = try MemberRoster.load(path: path, columns: .init())
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.file == path)
            #expect(error.problem == .unreadable(reason: "No such file or directory"))
            #expect(error.description.contains(path))
        }
    }

    @Test func aMissingColumnNamesTheColumn() {
        let error = loadError("member_id,last_name,first_name,date_of_birth,sex,plan,coverage_start\n")
        #expect(error?.line == 1)
        #expect(error?.column == "coverage_end")
        #expect(error?.problem == .missingColumn)
        #expect(error?.description.contains("coverage_end") == true)
    }

    @Test func aBadDateNamesLineAndColumn() {
        let error = loadError(Self.header + "\n10000000001,Smith,John,1980-01-01,M,A,2020-01-01,\n10000000002,Doe,Jane,1980-02-30,F,A,2020-01-01,\n")
        #expect(error?.line == 3)
        #expect(error?.column == "date_of_birth")
        #expect(error?.problem == .badDate(value: "1980-02-30"))
        #expect(error?.description.hasSuffix("members.csv:3 column date_of_birth: \"1980-02-30\" is not a date (YYYY-MM-DD)") == true)
    }

    @Test func aWrongFieldCountNamesTheLine() {
        let error = loadError(Self.header + "\n10000000001,Smith,John,1980-01-01,M,A,2020-01-01\n")
        #expect(error?.line == 2)
        #expect(error?.problem == .wrongFieldCount(expected: 8, found: 7))
    }

    @Test func otherMalformedRows() {
        #expect(loadError(Self.header + "\n10000000001,\"Smith,John,1980-01-01,M,A,2020-01-01,\n")?.problem == .unterminatedQuote)
        #expect(loadError("")?.problem == .noHeader)
        let duplicate = loadError(Self.header + "\n10000000001,Smith,John,1980-01-01,M,A,2020-01-01,\n10000000001,Doe,Jane,1980-01-02,F,A,2020-01-01,\n")
        #expect(duplicate?.problem == .duplicateKey(value: "10000000001", firstLine: 2))
        #expect(duplicate?.line == 3)
        let sex = loadError(Self.header + "\n10000000001,Smith,John,1980-01-01,Q,A,2020-01-01,\n")
        #expect(sex?.column == "sex")
        let end = loadError(Self.header + "\n10000000001,Smith,John,1980-01-01,M,A,2020-01-01,someday\n")
        #expect(end?.column == "coverage_end")
        #expect(end?.line == 2)
    }

    @Test func providerDirectoryErrors() {
        let header = "npi,kind,name,tin,phone,fax,address,network\n"
        func error(_ row: String) -> ReferenceError? {
            let path = folder.write("providers.csv", header + row)
            do { _ = try ProviderDirectory.load(path: path, columns: .init()); return nil } catch { return error }
        }
        #expect(error("123,individual,\"Lee, Ann, MD\",,,,,in\n")?.column == "npi")
        let network = error("1234567893,individual,\"Lee, Ann, MD\",,,,,maybe\n")
        #expect(network?.column == "network")
        #expect(network?.problem == .badValue(value: "maybe", allowed: ["in", "out"]))
        #expect(error("1234567893,robot,X,,,,,in\n")?.column == "kind")
        #expect(error("1234567893,organization,X,,,,,in\n") == nil)
    }

    /// A million members, generated here: the roster loads and its indexes find members. No timing is asserted.
    @Test func aMillionMemberRosterLoads() throws {
        let path = folder.path + "/million.csv"
        var text = Self.header + "\n"
        text.reserveCapacity(80_000_000)
        let last = ["Smith", "Garcia", "O'Brien", "Nguyen", "Kowalski"], first = ["John", "Mary", "Wei", "Aisha", "Dmitri"]
        for i in 0..<1_000_000 {
            let id = String(50_000_000_000 + i * 7)
            let year = 1930 + i % 90, month = 1 + i % 12, day = 1 + i % 28
            let dob = "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
            let end = i % 3 == 0 ? "2027-12-31" : ""
            text += "\(id),\(last[i % 5]),\(first[(i / 5) % 5]),\(dob),\(i % 2 == 0 ? "F" : "M"),Plan \(i % 4),2020-01-01,\(end)\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        text = ""
        let roster = try MemberRoster.load(path: path, columns: .init())
        #expect(roster.count == 1_000_000)
        let i = 765_432
        let member = try #require(roster.member(id: String(50_000_000_000 + i * 7)))
        #expect(member.lastName == last[i % 5])
        #expect(roster.members(named: "\(first[(i / 5) % 5]) \(last[i % 5])", bornOn: member.dateOfBirth).contains(member))
        #expect(roster.member(id: "50000000001") == nil)
    }
}

/// Reference data that follows its file.
@Suite struct ReloadingReferenceTests {
    static let header = "member_id,last_name,first_name,date_of_birth,sex,plan,coverage_start,coverage_end\n"
    static let row1 = "10000000001,Smith,John,1980-01-01,M,A,2020-01-01,\n"
    static let row2 = "10000000002,Jones,Mary,1970-02-02,F,A,2020-01-01,\n"

    @Test func reloadsAChangedFileAndKeepsTheOldDataWhenTheNewIsMalformed() throws {
        let folder = TemporaryFolder()
        let path = folder.write("members.csv", Self.header + Self.row1)
        let clock = Mutex(0.0)
        let reported = Mutex<[ReferenceError]>([])
        let reference = try ReloadingReference<MemberRoster>(
            path: path, checkInterval: 10, now: { clock.withLock { $0 } },
            onReloadError: { error in reported.withLock { $0.append(error) } }
        ) { (p) throws(ReferenceError) in try MemberRoster.load(path: p, columns: .init()) }
        #expect(reference.current.count == 1)

        // Replaced by rename (a new inode), but not looked at before the interval has passed.
        let next = folder.write("members.next", Self.header + Self.row1 + Self.row2)
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: next, toPath: path)
        clock.withLock { $0 = 5 }
        #expect(reference.current.count == 1)
        clock.withLock { $0 = 11 }
        #expect(reference.current.count == 2)
        #expect(reference.reloadCount == 1)

        // A malformed export: the old roster stays, the error is reported once, naming the line.
        folder.write("members.csv", Self.header + Self.row1 + "10000000003,Bad,Date,1970-13-01,F,A,2020-01-01,\n")
        clock.withLock { $0 = 30 }
        #expect(reference.current.count == 2)
        #expect(reference.lastReloadError?.line == 3)
        #expect(reference.lastReloadError?.column == "date_of_birth")
        clock.withLock { $0 = 50 }
        _ = reference.current
        #expect(reported.withLock { $0.count } == 1)

        // Fixed: loaded again, the error cleared.
        folder.write("members.csv", Self.header + Self.row2)
        #expect(reference.reloadIfChanged())
        #expect(reference.current.member(id: "10000000002") != nil)
        #expect(reference.current.member(id: "10000000001") == nil)
        #expect(reference.lastReloadError == nil)
    }

    @Test func aMalformedFileAtStartIsTheCallersError() {
        let folder = TemporaryFolder()
        let path = folder.write("members.csv", "member_id\n1\n")
        #expect(throws: ReferenceError.self) { try ReloadingReference<MemberRoster>(members: path) }
    }
}
