import FormExtraction
import Foundation
import IntakeQueue
import ReferenceData

/// The plan's own data (member roster, provider directory, ICD-10-CM) as loaded at start, and what a
/// request's fields learn from it: confirmations, corrections, the member's eligibility and the
/// servicing provider's network.
public struct ReferenceChecks: Sendable {
    let roster: ReloadingReference<MemberRoster>?
    let directory: ReloadingReference<ProviderDirectory>?
    let diagnoses: DiagnosisCheck?
    /// The confidence a field takes when the plan's data confirms it (`reference.confirmed_confidence`).
    let confirmedConfidence: Double
    /// `reference.code_set_confirms_above`.
    let codeSetConfirmsAbove: Double
    let template: FormTemplate

    /// No reference data: nothing is checked.
    static func none(_ template: FormTemplate) -> ReferenceChecks {
        ReferenceChecks(roster: nil, directory: nil, diagnoses: nil, confirmedConfidence: 1, codeSetConfirmsAbove: 1, template: template)
    }

    /// The words of the roster's and the directory's names and addresses, as loaded at start ("Okafor",
    /// "Priya", "Lakeside"): the word list's names.
    var nameWords: [String] {
        var words = Set<String>()
        func add(_ text: String) {
            for word in text.split(whereSeparator: { !$0.isLetter }) where word.count >= 2 { words.insert(String(word)) }
        }
        for member in roster?.current.members ?? [] { add(member.lastName); add(member.firstName) }
        for provider in directory?.current.providers ?? [] { add(provider.name); add(provider.address ?? "") }
        return words.sorted()
    }

    /// Loads every configured file; an error names the pipeline key, the file, line and column.
    static func load(_ configuration: PipelineConfiguration, template: FormTemplate) throws(PipelineError) -> ReferenceChecks {
        let files = configuration.reference
        func refuse(_ key: String, _ reason: String) -> PipelineError {
            .configuration(file: configuration.file, line: nil, key: key, reason: reason)
        }
        var roster: ReloadingReference<MemberRoster>?
        if let path = files.members {
            var columns = ReferenceColumns.Members()
            let known: [String: WritableKeyPath<ReferenceColumns.Members, String>] = [
                "member_id": \.memberID, "last_name": \.lastName, "first_name": \.firstName, "date_of_birth": \.dateOfBirth,
                "sex": \.sex, "plan": \.plan, "coverage_start": \.coverageStart, "coverage_end": \.coverageEnd,
            ]
            for (meaning, header) in files.memberColumns {
                guard let keyPath = known[meaning] else {
                    throw refuse("reference.member_columns.\(meaning)", "unknown column meaning; expected one of: \(known.keys.sorted().joined(separator: ", "))")
                }
                columns[keyPath: keyPath] = header
            }
            do { roster = try ReloadingReference(members: path, columns: columns, checkInterval: files.reloadSeconds) } catch {
                throw refuse("reference.members", error.description)
            }
        }
        var directory: ReloadingReference<ProviderDirectory>?
        if let path = files.providers {
            var columns = ReferenceColumns.Providers()
            let known: [String: WritableKeyPath<ReferenceColumns.Providers, String>] = [
                "npi": \.npi, "kind": \.kind, "name": \.name, "tin": \.tin, "phone": \.phone, "fax": \.fax,
                "address": \.address, "network": \.network,
            ]
            for (meaning, header) in files.providerColumns {
                guard let keyPath = known[meaning] else {
                    throw refuse("reference.provider_columns.\(meaning)", "unknown column meaning; expected one of: \(known.keys.sorted().joined(separator: ", "))")
                }
                columns[keyPath: keyPath] = header
            }
            do { directory = try ReloadingReference(providers: path, columns: columns, checkInterval: files.reloadSeconds) } catch {
                throw refuse("reference.providers", error.description)
            }
        }
        var diagnoses: DiagnosisCheck?
        if let folder = files.icd10cm {
            do { diagnoses = DiagnosisCheck(codeSet: try ICD10CM.load(folder: folder)) } catch {
                throw refuse("reference.icd10cm", "\(error.description) (scripts/setup.sh installs the code set)")
            }
        }
        return ReferenceChecks(roster: roster, directory: directory, diagnoses: diagnoses,
                               confirmedConfidence: files.confirmedConfidence, codeSetConfirmsAbove: files.codeSetConfirmsAbove,
                               template: template)
    }

    /// What the checks concluded for one request.
    struct Outcome {
        var member: MemberCheck?
        var servicingProvider: ProviderNetworkCheck?
        var flags: [ItemFlag] = []
    }

    /// Checks one request's fields in place: a value the plan's data confirms becomes confident, one it
    /// corrects takes the corrected value and says so, one it contradicts goes to review.
    func apply(to fields: inout [String: StoredField], checkboxes: [String: StoredCheckboxGroup], on day: DayDate) -> Outcome {
        var outcome = Outcome()
        if let roster { outcome.member = checkMember(&fields, roster: roster.current, day: day, flags: &outcome.flags) }
        if let directory { outcome.servicingProvider = checkProviders(&fields, checkboxes: checkboxes, directory: directory.current, flags: &outcome.flags) }
        if let diagnoses { checkDiagnoses(&fields, diagnoses) }
        return outcome
    }

    private func name(_ role: FieldRole) -> String? { template.fields(role: role).first?.name }

    private func confirm(_ field: inout StoredField) {
        guard field.valid, !field.value.isEmpty else { return }
        field.confidence = max(field.confidence, confirmedConfidence)
        field.needsReview = false
        field.issues.removeAll { $0 == FieldIssue.lowConfidence.description }
    }

    /// A name the plan's data confirms, spelled as the data has it where the reading differs (a misread
    /// letter the name match forgave), with the reading kept in the issues.
    private func respell(_ field: inout StoredField, as spelled: String?, in source: String) {
        guard let spelled, spelled != field.value else { return }
        field.issues.append("read as '\(field.value)'; spelled as the \(source) has it")
        field.value = spelled
        field.normalized = spelled
    }

    private func disagree(_ field: inout StoredField, _ issue: String) {
        field.needsReview = true
        field.issues.append(issue)
    }

    private func checkMember(_ fields: inout [String: StoredField], roster: MemberRoster, day: DayDate, flags: inout [ItemFlag]) -> MemberCheck? {
        guard let idName = name(.memberID) else { return nil }
        let id = fields[idName]
        let nameField = name(.memberName).flatMap { fields[$0] }
        let dobField = name(.memberDateOfBirth).flatMap { fields[$0] }
        let service = name(.serviceDate).flatMap { fields[$0]?.normalized }
        let query = MemberQuery(
            memberID: id.map { $0.normalized.isEmpty ? $0.value : $0.normalized }.flatMap { $0.isEmpty ? nil : $0 },
            memberIDValid: id?.valid ?? false, memberIDSure: (id?.valid ?? false) && !(id?.needsReview ?? true),
            name: nameField.flatMap { $0.value.isEmpty ? nil : $0.value },
            dateOfBirth: dobField.flatMap { $0.normalized.isEmpty ? nil : $0.normalized },
            serviceStart: service.flatMap { $0.isEmpty ? nil : $0 })
        guard query.memberID != nil || query.name != nil else { return nil }
        var match = MemberMatcher(roster: roster).match(query, today: day)
        // Members of the name and birth date read, when the id as read is on no one; nil when either was not read.
        let namesakes: [Member]? = match.member == nil
            ? query.name.flatMap { name in query.dateOfBirth.flatMap(DayDate.init).map { roster.members(named: name, bornOn: $0) } }
            : nil
        var identifiedByNameAndBirthDate = false
        if query.memberID != nil, let candidates = namesakes, candidates.count == 1 {
            // The id as read is on no one (a digit lost, doubled or swapped by a damaged fax), but the name
            // and birth date name exactly one member: that member, with the id left for a person to confirm.
            let member = candidates[0]
            let serviceDay = query.serviceStart.flatMap(DayDate.init) ?? day
            match = MemberMatch(status: member.isCovered(on: serviceDay) ? .eligible : .notEligible, member: member,
                                correctedID: member.id, confirmed: [.name, .dateOfBirth], issues: [])
            identifiedByNameAndBirthDate = true
        }
        if var field = fields[idName] {
            if identifiedByNameAndBirthDate, let corrected = match.correctedID {
                field.issues.append("read as '\(field.value)'; the member roster's id for this name and date of birth")
                field.value = corrected
                field.normalized = corrected
                field.valid = true
                field.needsReview = true
            } else if let corrected = match.correctedID {
                // The matcher's own issue says how (within confusion distance, or by name and birth date).
                field.value = corrected
                field.normalized = corrected
                field.valid = true
            }
            for issue in match.issues where !issue.description.isEmpty { field.issues.append(issue.description) }
            if match.confirmed.contains(.id) { confirm(&field) } else if match.member == nil || !match.issues.isEmpty {
                // A sure id that is on no one, for a name and birth date that are on no one either: the member
                // is not on the roster (the item says member_not_found), which is no reason to doubt the
                // reading. Anything else (a near id, a namesake, a disagreement) needs a person.
                let absent = match.member == nil && match.issues == [.idNotOnRoster] && query.memberIDSure && namesakes?.isEmpty == true
                if !absent { field.needsReview = true }
            }
            fields[idName] = field
        }
        for (role, which) in [(FieldRole.memberName, MemberField.name), (.memberDateOfBirth, .dateOfBirth)] {
            guard let key = name(role), var field = fields[key] else { continue }
            if which == .name, match.confirmed.contains(.name), let member = match.member {
                respell(&field, as: NameSpelling.person(field.value, lastName: member.lastName, firstName: member.firstName), in: "member roster")
            }
            if match.confirmed.contains(which) { confirm(&field) }
            fields[key] = field
        }
        let check: MemberCheck
        switch match.status {
        case .eligible:
            check = MemberCheck(status: .eligible)
        case .notEligible:
            check = MemberCheck(status: .notEligible)
            flags.append(.memberNotEligible)
            // The verdict rests on the service date as read. When one misread digit ("07" for "02") is all
            // that separates it from a day the member is covered, the date goes to a person however sure
            // its reading was; a verdict no single misread could change stands. A year the request or
            // signature date also reads is corroborated: coverage that ended last year is one digit from
            // every date of this one.
            let readDay = query.serviceStart.flatMap(DayDate.init)
            let otherYears = Set([FieldRole.requestDate, .signatureDate].compactMap { role in
                name(role).flatMap { fields[$0]?.normalized }.flatMap(DayDate.init)?.year
            })
            if let member = match.member, let read = query.serviceStart, let readDay, let key = name(.serviceDate), var field = fields[key],
               let covered = OCRConfusions.digitVariants(of: read, maxSubstitutions: 1).lazy.compactMap(DayDate.init)
                   .filter({ $0.year == readDay.year || !otherYears.contains(readDay.year) })
                   .first(where: { member.isCovered(on: $0) }) {
                disagree(&field, "the member is not covered on this date, but is on \(covered), one misread digit away")
                fields[key] = field
            }
        case .notFound:
            check = MemberCheck(status: .notFound)
            flags.append(.memberNotFound)
        }
        guard let member = match.member else { return check }
        return MemberCheck(status: check.status, plan: member.plan, coverageStart: member.coverageStart.description,
                           coverageEnd: member.coverageEnd?.description)
    }

    /// The numbers of an address (street number, ZIP code): what a misread street name leaves intact.
    static func addressNumbers(_ address: String) -> [String] {
        address.split { !("0"..."9").contains($0) }.map(String.init)
    }

    private func checkProviders(_ fields: inout [String: StoredField], checkboxes: [String: StoredCheckboxGroup],
                                directory: ProviderDirectory, flags: inout [ItemFlag]) -> ProviderNetworkCheck {
        let matcher = ProviderMatcher(directory: directory)
        func read(_ role: FieldRole) -> String? {
            name(role).flatMap { fields[$0] }.flatMap { $0.normalized.isEmpty ? ($0.value.isEmpty ? nil : $0.value) : $0.normalized }
        }
        let requesting = matcher.checkRequesting(npi: read(.requestingProviderNPI), name: read(.requestingProviderName),
                                                 tin: read(.requestingProviderTIN), phone: read(.requestingProviderPhone),
                                                 fax: read(.requestingProviderFax))
        if requesting.npi == .found {
            for (role, verdict) in [(FieldRole.requestingProviderNPI, AttributeCheck.confirmed), (.requestingProviderName, requesting.name),
                                    (.requestingProviderTIN, requesting.tin), (.requestingProviderPhone, requesting.phone),
                                    (.requestingProviderFax, requesting.fax)] {
                guard let key = name(role), var field = fields[key] else { continue }
                switch verdict {
                case .confirmed:
                    if role == .requestingProviderName, let provider = requesting.provider {
                        respell(&field, as: NameSpelling.provider(field.value, provider), in: "provider directory")
                    }
                    confirm(&field)
                case .disagrees:
                    // One digit off by a fax's typical confusion (2 → 7): the directory's digits, for a person
                    // to confirm.
                    let onFile: String? = switch role {
                    case .requestingProviderTIN: requesting.provider?.tin
                    case .requestingProviderPhone: requesting.provider?.phone
                    case .requestingProviderFax: requesting.provider?.fax
                    default: nil
                    }
                    if let onFile, let spelled = OCRConfusions.oneConfusedDigit(read: field.value, onFile: onFile) {
                        field.issues.append("read as '\(field.value)'; one digit taken from the provider directory")
                        field.value = spelled
                        field.normalized = spelled
                        field.needsReview = true
                    } else {
                        disagree(&field, "disagrees with the provider directory")
                    }
                case .notRead, .notOnFile: break
                }
                fields[key] = field
            }
        } else if requesting.npi == .notInDirectory, let key = name(.requestingProviderNPI), var field = fields[key] {
            disagree(&field, "not in the provider directory")
            fields[key] = field
        }
        let ticked = template.group(role: .servicingInNetwork).flatMap { group -> [String]? in
            guard let selected = checkboxes[group.name]?.selected else { return nil }
            // The box's options by meaning, so the matcher sees yes/no whatever the form calls them.
            return selected.compactMap { value in
                switch group.options.first(where: { $0.value == value })?.role {
                case .inNetwork: "yes"
                case .outOfNetwork: "no"
                default: nil
                }
            }
        } ?? []
        var servicing = matcher.checkServicing(npi: read(.servicingProviderNPI), box: InNetworkBox(ticked: ticked))
        if servicing.npi == .found, let key = name(.servicingProviderNPI), var field = fields[key] {
            confirm(&field)
            fields[key] = field
            // The servicing provider's name, when it agrees with the directory's entry for that NPI.
            if let provider = servicing.provider, let nameKey = name(.servicingProviderName), var nameField = fields[nameKey],
               !nameField.value.isEmpty, let spelled = NameSpelling.provider(nameField.value, provider) {
                respell(&nameField, as: spelled, in: "provider directory")
                confirm(&nameField)
                fields[nameKey] = nameField
            }
            // And its address, when the reading is the directory's but for a couple of misread letters.
            if let provider = servicing.provider, let onFile = provider.address, let addressKey = name(.servicingProviderAddress),
               var addressField = fields[addressKey], !addressField.value.isEmpty,
               let spelled = NameSpelling.address(addressField.value, onFile: onFile) {
                respell(&addressField, as: spelled, in: "provider directory")
                confirm(&addressField)
                fields[addressKey] = addressField
            }
        } else if let key = name(.servicingProviderNPI), var field = fields[key], let readName = read(.servicingProviderName) {
            // The NPI as read is on no one, or was not read: the directory's provider of that name (whose NPI
            // is within a few digits of the one read, if one was), when there is exactly one, with the NPI
            // left for a person to confirm.
            let readNPI = read(.servicingProviderNPI)
            var candidates = directory.providers.filter { provider in
                ProviderMatcher.nameAgrees(readName, with: provider)
                    && (readNPI.map { OCRConfusions.editDistance(Array($0), Array(provider.npi)) <= 3 } ?? true)
            }
            // Organizations share names across sites: the site's address tells them apart.
            if candidates.count > 1, let address = read(.servicingProviderAddress) {
                candidates = candidates.filter { $0.address.map { Self.addressNumbers($0) == Self.addressNumbers(address) } ?? false }
            }
            if candidates.count == 1 {
                field.issues.append(field.value.isEmpty ? "not read; the provider directory's NPI for this name"
                                    : "read as '\(field.value)'; the provider directory's NPI for this name")
                field.value = candidates[0].npi
                field.normalized = candidates[0].npi
                field.valid = true
                field.needsReview = true
                fields[key] = field
                servicing = matcher.checkServicing(npi: candidates[0].npi, box: InNetworkBox(ticked: ticked))
            }
        }
        let network: NetworkStatus
        switch servicing.network {
        case .inNetwork: network = .in
        case .outOfNetwork:
            network = .out
            flags.append(.providerOutOfNetwork)
        case .unknown: network = .unknown
        }
        if servicing.conflict { flags.append(.networkConflict) }
        return ProviderNetworkCheck(network: network)
    }

    private func checkDiagnoses(_ fields: inout [String: StoredField], _ diagnoses: DiagnosisCheck) {
        let narrative = name(.diagnosisNarrative).flatMap { fields[$0]?.value }
        for (k, spec) in template.fields(role: .diagnosisCode).enumerated() {
            guard var field = fields[spec.name], !field.value.isEmpty else { continue }
            // The narrative describes the principal diagnosis: only the first code is held to it.
            let result = diagnoses.check(code: field.value, narrative: k == 0 ? narrative : nil)
            switch result.status {
            case .billable:
                if let note = result.correctionNote {
                    field.value = result.code
                    field.normalized = result.code
                    field.valid = true
                    field.issues.append(note)
                    field.needsReview = true
                } else if k == 0, result.narrative == .disagrees {
                    disagree(&field, "the diagnosis narrative does not match the code's description")
                } else if k == 0, result.narrative == .agrees {
                    // A billable code whose description the provider's own words repeat: a misread that
                    // lands on another billable code would not also match the narrative.
                    confirm(&field)
                } else if field.confidence >= codeSetConfirmsAbove {
                    // A billable code read nearly sure: the code set confirms it as the directory confirms an
                    // NPI. Billable codes are sparse among the shapes a misread makes (B72.0018, I18.9).
                    confirm(&field)
                }
            case .notBillable:
                field.valid = false
                disagree(&field, "not a billable ICD-10-CM code")
            case .unknown:
                field.valid = false
                disagree(&field, "not an ICD-10-CM code")
            case .notRead:
                break
            }
            fields[spec.name] = field
        }
    }
}

/// Flags the plan's reference data raises.
extension ItemFlag {
    /// The member is not on the roster (or could not be identified on it).
    public static let memberNotFound = ItemFlag(rawValue: "member_not_found")
    /// The member is on the roster but not covered on the service date.
    public static let memberNotEligible = ItemFlag(rawValue: "member_not_eligible")
    /// The servicing provider is out of the plan's network.
    public static let providerOutOfNetwork = ItemFlag(rawValue: "provider_out_of_network")
    /// The form's in-network box says the opposite of the provider directory.
    public static let networkConflict = ItemFlag(rawValue: "network_conflict")
}
