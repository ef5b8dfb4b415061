/// The member identity fields of the form, named for `MemberMatch.confirmed`.
public enum MemberField: String, Sendable, Hashable, CaseIterable {
    case id = "member_id"
    case name = "member_name"
    case dateOfBirth = "member_dob"
}

/// What the form says about the member, as read.
public struct MemberQuery: Sendable, Equatable {
    /// The member id as read (separators ignored; letters OCR puts for digits, O/I/S/B, are read as 0/1/5/8).
    public var memberID: String?
    /// The id passed its field validator.
    public var memberIDValid: Bool
    /// The reader is sure of it (valid and confident).
    public var memberIDSure: Bool
    /// Free text: "Last, First", "First Last", any case.
    public var name: String?
    /// Normalized `YYYY-MM-DD` (`MM/DD/YYYY` is accepted too); nil or unparseable = not read.
    public var dateOfBirth: String?
    /// The service start date, same forms; nil = not read.
    public var serviceStart: String?

    public init(memberID: String?, memberIDValid: Bool, memberIDSure: Bool, name: String?, dateOfBirth: String?, serviceStart: String?) {
        self.memberID = memberID
        self.memberIDValid = memberIDValid
        self.memberIDSure = memberIDSure
        self.name = name
        self.dateOfBirth = dateOfBirth
        self.serviceStart = serviceStart
    }
}

/// Something the member match found, for the item's issues and flags.
public enum MemberMatchIssue: Sendable, Equatable, CustomStringConvertible {
    /// The id was replaced by the roster's: the only member within OCR-confusion distance whose name and DOB agree.
    case idCorrected(from: String, to: String)
    /// The id was unreadable; name and DOB identify exactly one member, whose id is proposed.
    case identifiedByNameAndBirthDate(id: String)
    /// Several members within confusion distance (or by name and DOB) agree: nothing was corrected.
    case ambiguous(candidates: [String])
    /// The id is on the roster but the name read is another person's.
    case nameDisagrees
    /// The id is on the roster but the date of birth read is another.
    case dateOfBirthDisagrees
    /// The id is not on the roster, and no unique correction exists.
    case idNotOnRoster
    /// Not covered on the service date (or today, without one).
    case notCovered(on: DayDate)
    /// No service date was read: coverage was checked for today.
    case coverageCheckedForToday(DayDate)

    public var description: String {
        switch self {
        case .idCorrected(let from, let to): return "member id corrected from the member roster (\(from) → \(to))"
        case .identifiedByNameAndBirthDate(let id): return "member id unreadable; name and date of birth match one member (\(id))"
        case .ambiguous(let candidates): return "\(candidates.count) members could match; not corrected"
        case .nameDisagrees: return "member name disagrees with the member roster"
        case .dateOfBirthDisagrees: return "date of birth disagrees with the member roster"
        case .idNotOnRoster: return "member id not on the member roster"
        case .notCovered(let day): return "member not covered on \(day)"
        case .coverageCheckedForToday(let day): return "no service date: coverage checked for \(day)"
        }
    }
}

/// What the roster says about the member on the form.
public struct MemberMatch: Sendable, Equatable {
    /// The conclusion the queue item carries (`member.status`).
    public enum Status: String, Sendable, Hashable {
        case eligible
        case notEligible = "not_eligible"
        case notFound = "not_found"
    }

    public var status: Status
    /// The roster member the request is about, when one is identified — also when the identity is not
    /// confirmed (an exact id whose name disagrees); see `confirmed` and `issues`.
    public var member: Member?
    /// The roster's id, when it replaces the one read.
    public var correctedID: String?
    /// The fields the roster confirms: these may go straight through.
    public var confirmed: Set<MemberField>
    public var issues: [MemberMatchIssue]

    /// All three identity fields agree with one member.
    public var isConfirmed: Bool { confirmed.count == MemberField.allCases.count }

    public init(status: Status, member: Member?, correctedID: String?, confirmed: Set<MemberField>, issues: [MemberMatchIssue]) {
        self.status = status
        self.member = member
        self.correctedID = correctedID
        self.confirmed = confirmed
        self.issues = issues
    }
}

/// Matches what the form says about the member against the roster. The rules, in order:
/// 1. An exact id whose name and DOB agree confirms all three fields.
/// 2. An id read invalid or unsure — or one the roster contradicts (not on it, or its member has another name
///    or DOB; a "sure" read that the roster contradicts is not sure) — is looked for within OCR-confusion
///    distance (`OCRConfusions.digits`, up to `maxSubstitutions`); it is corrected only when the name and DOB
///    agree with exactly one candidate. A member whose name or DOB disagrees is never a correction.
/// 3. An unreadable id (none, or not a same-length digit string) with a name and DOB that identify exactly one
///    member proposes that member, with `correctedID`.
/// Eligibility: covered when coverage_start ≤ service start ≤ coverage_end (an empty end is open).
public struct MemberMatcher: Sendable {
    public let roster: MemberRoster
    /// Confusable digit substitutions allowed in a correction (the issue: one or two).
    public var maxSubstitutions: Int
    /// Correct an id the reader was sure of when the roster contradicts it. The issue's dev-corpus misses were
    /// ids read one digit off with high confidence, so this is on; the name + DOB + uniqueness rule guards it.
    public var correctsContradictedSureIDs: Bool

    public init(roster: MemberRoster, maxSubstitutions: Int = 2, correctsContradictedSureIDs: Bool = true) {
        self.roster = roster
        self.maxSubstitutions = maxSubstitutions
        self.correctsContradictedSureIDs = correctsContradictedSureIDs
    }

    /// - Parameter today: the day used when no service date was read. Choice: without a service date the
    ///   request is judged as of today (the day it is taken), since that is when care would be authorised;
    ///   the match says so in its issues.
    public func match(_ query: MemberQuery, today: DayDate = .today()) -> MemberMatch {
        let name = query.name.flatMap { PersonName($0) }
        let dob = query.dateOfBirth.flatMap { DayDate($0) }
        let serviceDay = query.serviceStart.flatMap { DayDate($0) }
        let id = query.memberID.map(MemberMatcher.digits(of:)) ?? ""

        /// nil: not read, so neither agrees nor disagrees.
        func nameAgrees(_ m: Member) -> Bool? { name.map { $0.agrees(lastName: m.lastName, firstName: m.firstName) } }
        func dobAgrees(_ m: Member) -> Bool? { dob.map { $0 == m.dateOfBirth } }
        func identifies(_ m: Member) -> Bool { nameAgrees(m) == true && dobAgrees(m) == true }

        func coverage(_ m: Member, _ issues: inout [MemberMatchIssue]) -> MemberMatch.Status {
            let day = serviceDay ?? today
            if serviceDay == nil { issues.append(.coverageCheckedForToday(today)) }
            if m.isCovered(on: day) { return .eligible }
            issues.append(.notCovered(on: day))
            return .notEligible
        }

        /// Members within confusion distance of the id read (never the exact id) whose name and DOB agree.
        func corrections() -> [Member] {
            guard !id.isEmpty, name != nil, dob != nil else { return [] }
            var seen = Set<String>()
            return OCRConfusions.digitVariants(of: id, maxSubstitutions: maxSubstitutions).compactMap { variant in
                guard seen.insert(variant).inserted, let m = roster.member(id: variant), identifies(m) else { return nil }
                return m
            }
        }

        let readUnsure = !query.memberIDValid || !query.memberIDSure
        var issues: [MemberMatchIssue] = []

        if let exact = roster.member(id: id) {
            let n = nameAgrees(exact), d = dobAgrees(exact)
            if n != false && d != false {
                // Nothing disagrees: the id and whatever agrees are confirmed (all three when both were read).
                var confirmed: Set<MemberField> = [.id]
                if n == true { confirmed.insert(.name) }
                if d == true { confirmed.insert(.dateOfBirth) }
                let status = coverage(exact, &issues)
                return MemberMatch(status: status, member: exact, correctedID: nil, confirmed: confirmed, issues: issues)
            }
            if n == false { issues.append(.nameDisagrees) }
            if d == false { issues.append(.dateOfBirthDisagrees) }
            if readUnsure || correctsContradictedSureIDs {
                let found = corrections()
                if found.count == 1 { return corrected(found[0], from: id, issues: [], coverage: coverage) }
                if found.count > 1 { issues.append(.ambiguous(candidates: found.map(\.id))) }
            }
            // Not a confirmation: the id's member is reported, nothing confirmed, the disagreement flagged.
            let status = coverage(exact, &issues)
            return MemberMatch(status: status, member: exact, correctedID: nil, confirmed: [], issues: issues)
        }

        if readUnsure || correctsContradictedSureIDs {
            let found = corrections()
            if found.count == 1 { return corrected(found[0], from: id, issues: [], coverage: coverage) }
            if found.count > 1 { issues.append(.ambiguous(candidates: found.map(\.id))) }
        }

        // Unreadable id: none, or not a digit string of the roster's length.
        let unreadable = id.isEmpty || !query.memberIDValid
        if unreadable, issues.isEmpty, let name, let dob {
            let found = roster.members(bornOn: dob).filter { name.agrees(lastName: $0.lastName, firstName: $0.firstName) }
            if found.count == 1 {
                let m = found[0]
                var issues: [MemberMatchIssue] = [.identifiedByNameAndBirthDate(id: m.id)]
                let status = coverage(m, &issues)
                return MemberMatch(status: status, member: m, correctedID: m.id, confirmed: [.name, .dateOfBirth], issues: issues)
            }
            if found.count > 1 { issues.append(.ambiguous(candidates: found.map(\.id))) }
        }
        issues.insert(.idNotOnRoster, at: 0)
        return MemberMatch(status: .notFound, member: nil, correctedID: nil, confirmed: [], issues: issues)
    }

    private func corrected(_ m: Member, from id: String, issues: [MemberMatchIssue],
                           coverage: (Member, inout [MemberMatchIssue]) -> MemberMatch.Status) -> MemberMatch {
        var issues = issues + [.idCorrected(from: id, to: m.id)]
        let status = coverage(m, &issues)
        return MemberMatch(status: status, member: m, correctedID: m.id, confirmed: [.id, .name, .dateOfBirth], issues: issues)
    }

    /// The digits of an id as read; letters OCR reads for digits in a digits-only comb count as those digits.
    static func digits(of text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "0"..."9": out.append(c)
            case "O", "o", "D", "Q": out.append("0")
            case "I", "l", "|", "i": out.append("1")
            case "S", "s": out.append("5")
            case "B": out.append("8")
            case "Z", "z": out.append("2")
            case "G": out.append("6")
            default: break  // spaces, dashes
            }
        }
        return out
    }
}
