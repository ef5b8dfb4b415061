/// A member's sex as the roster gives it.
public enum Sex: String, Sendable, Hashable {
    case female = "F"
    case male = "M"
    /// X, U, O or empty: not binary, undisclosed or unknown; never used to tell members apart.
    case unspecified = "U"

    /// Accepts the letters and words eligibility exports use, in any case.
    init?(roster bytes: UnsafeBufferPointer<UInt8>) {
        let word = String(decoding: bytes, as: UTF8.self).trimmingBlanks().uppercased()
        switch word {
        case "F", "FEMALE": self = .female
        case "M", "MALE": self = .male
        case "", "U", "UNKNOWN", "X", "O", "OTHER", "N": self = .unspecified
        default: return nil
        }
    }
}

/// One member on the roster, with the coverage span the eligibility export gives.
public struct Member: Sendable, Hashable {
    public var id: String
    public var lastName: String
    public var firstName: String
    public var dateOfBirth: DayDate
    public var sex: Sex
    public var plan: String
    public var coverageStart: DayDate
    /// nil: open-ended coverage.
    public var coverageEnd: DayDate?

    public init(id: String, lastName: String, firstName: String, dateOfBirth: DayDate, sex: Sex,
                plan: String, coverageStart: DayDate, coverageEnd: DayDate?) {
        self.id = id
        self.lastName = lastName
        self.firstName = firstName
        self.dateOfBirth = dateOfBirth
        self.sex = sex
        self.plan = plan
        self.coverageStart = coverageStart
        self.coverageEnd = coverageEnd
    }

    /// Covered on `day`: coverage_start ≤ day ≤ coverage_end, both ends inclusive, an empty end open.
    public func isCovered(on day: DayDate) -> Bool {
        coverageStart <= day && (coverageEnd.map { day <= $0 } ?? true)
    }
}

/// The plan's member roster, indexed by member id and by date of birth (for name + birth date look-ups).
public final class MemberRoster: Sendable {
    /// The path it was loaded from.
    public let path: String
    public let members: [Member]
    private let byID: [String: Int32]
    /// Birth date → members born that day. A day holds about roster size ÷ 30,000 members (~33 in a
    /// million), so comparing names there is an index look-up, and it forgives OCR in the name, which an
    /// exact (last, first, DOB) key could not.
    private let byBirthDate: [Int32: [Int32]]

    public var count: Int { members.count }

    init(path: String, members: [Member], byID: [String: Int32], byBirthDate: [Int32: [Int32]]) {
        self.path = path
        self.members = members
        self.byID = byID
        self.byBirthDate = byBirthDate
    }

    /// The member with exactly this id (digits as on the roster).
    public func member(id: String) -> Member? {
        byID[id].map { members[Int($0)] }
    }

    /// Everyone born on `day`.
    public func members(bornOn day: DayDate) -> [Member] {
        (byBirthDate[day.rawValue] ?? []).map { members[Int($0)] }
    }

    /// Members born on `day` whose name agrees with `name` (case, order, punctuation and OCR confusions forgiven).
    public func members(named name: String, bornOn day: DayDate) -> [Member] {
        guard let read = PersonName(name) else { return [] }
        return members(bornOn: day).filter { read.agrees(lastName: $0.lastName, firstName: $0.firstName) }
    }

    /// Loads a roster; any missing column, bad date, bad sex, empty or repeated id or wrong field count is
    /// an error naming the file, line and column, so that a bad export never half-loads.
    public static func load(path: String, columns: ReferenceColumns.Members = .init()) throws(ReferenceError) -> MemberRoster {
        let csv = try CSVFile.open(path)
        let idColumn = try csv.column(columns.memberID)
        let lastColumn = try csv.column(columns.lastName)
        let firstColumn = try csv.column(columns.firstName)
        let dobColumn = try csv.column(columns.dateOfBirth)
        let sexColumn = try csv.column(columns.sex)
        let planColumn = try csv.column(columns.plan)
        let startColumn = try csv.column(columns.coverageStart)
        let endColumn = try csv.column(columns.coverageEnd)

        var members: [Member] = []
        members.reserveCapacity(csv.bytes.count / 70)
        var byID: [String: Int32] = [:]
        byID.reserveCapacity(csv.bytes.count / 70)
        var lines: [Int32] = []  // member index → line, only to name a duplicate's first line
        var byBirthDate: [Int32: [Int32]] = [:]
        // A plan has a handful of plan names; sharing one String each keeps a million rows small.
        var plans: [String: String] = [:]

        try csv.forEachRow { (row) throws(ReferenceError) in
            func date(_ column: Int, _ name: String) throws(ReferenceError) -> DayDate {
                guard let day = row.withBytes(column, { DayDate(bytes: $0) }) else {
                    throw ReferenceError(file: path, line: row.line, column: name, problem: .badDate(value: row.string(column)))
                }
                return day
            }
            let id = row.trimmed(idColumn)
            guard !id.isEmpty else {
                throw ReferenceError(file: path, line: row.line, column: columns.memberID, problem: .badKey(value: id))
            }
            let dob = try date(dobColumn, columns.dateOfBirth)
            let start = try date(startColumn, columns.coverageStart)
            let end: DayDate? = row.isEmpty(endColumn) ? nil : try date(endColumn, columns.coverageEnd)
            guard let sex = row.withBytes(sexColumn, { Sex(roster: $0) }) else {
                throw ReferenceError(file: path, line: row.line, column: columns.sex,
                                     problem: .badValue(value: row.string(sexColumn), allowed: ["F", "M", "U", "X", ""]))
            }
            let planRead = row.trimmed(planColumn)
            let plan: String
            if let shared = plans[planRead] { plan = shared } else { plans[planRead] = planRead; plan = planRead }

            let index = Int32(members.count)
            if let existing = byID[id] {
                throw ReferenceError(file: path, line: row.line, column: columns.memberID,
                                     problem: .duplicateKey(value: id, firstLine: Int(lines[Int(existing)])))
            }
            byID[id] = index
            lines.append(Int32(row.line))
            byBirthDate[dob.rawValue, default: []].append(index)
            members.append(Member(id: id, lastName: row.trimmed(lastColumn), firstName: row.trimmed(firstColumn),
                                  dateOfBirth: dob, sex: sex, plan: plan, coverageStart: start, coverageEnd: end))
        }
        return MemberRoster(path: path, members: members, byID: byID, byBirthDate: byBirthDate)
    }
}
