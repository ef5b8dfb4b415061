import Foundation

/// A box on the template page in points from the top-left corner: `[x, y, width, height]` in the field map.
public struct TemplateBox: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        x = try c.decode(Double.self); y = try c.decode(Double.self)
        width = try c.decode(Double.self); height = try c.decode(Double.self)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(x); try c.encode(y); try c.encode(width); try c.encode(height)
    }
}

/// What kind of value a field holds: decides how its zone is read and cleaned.
public enum FieldType: String, Sendable, Equatable, Codable {
    case date, name, digits, phone, tin, code, integer, text, signature
}

/// The rule a field's value is checked and normalised by.
public enum FieldValidator: String, Sendable, Equatable, Codable {
    case date
    case memberID = "member_id"
    case npi
    case phone
    case tin
    case icd10
    case cptHCPCS = "cpt_hcpcs"
    case integer
}

/// Whether a value must be exact for the request to go through untouched, or is shown to the nurse beside the image.
public enum FieldImportance: String, Sendable, Equatable, Codable, CaseIterable {
    /// Member identity, provider NPIs, service dates, codes, units, request type and priority: a key
    /// field is trusted only when its calibrated confidence reaches `extraction.target_accuracy`.
    case key
    /// Summary, descriptions, addresses, names of providers, phones: read against `review_below_confidence`.
    case context
}

/// What a field means to the plan: routing, due dates, duplicates and lookups find fields by role, never by name.
public enum FieldRole: String, Sendable, Equatable, Codable, CaseIterable {
    case requestDate = "request_date"
    case memberName = "member_name"
    case memberDateOfBirth = "member_dob"
    case memberID = "member_id"
    case memberPhone = "member_phone"
    case requestingProviderName = "requesting_provider_name"
    case requestingProviderNPI = "requesting_provider_npi"
    case requestingProviderTIN = "requesting_provider_tin"
    case requestingProviderPhone = "requesting_provider_phone"
    case requestingProviderFax = "requesting_provider_fax"
    case servicingProviderName = "servicing_provider_name"
    case servicingProviderNPI = "servicing_provider_npi"
    case servicingProviderAddress = "servicing_provider_address"
    case serviceDate = "service_date"
    case serviceEndDate = "service_end_date"
    case diagnosisCode = "diagnosis_code"
    case diagnosisNarrative = "diagnosis_narrative"
    case procedureCode = "procedure_code"
    case procedureUnits = "procedure_units"
    case clinicalSummary = "clinical_summary"
    case signatureDate = "signature_date"
}

/// What a checkbox group means to the plan.
public enum CheckboxGroupRole: String, Sendable, Equatable, Codable, CaseIterable {
    case requestType = "request_type"
    case priority
    case reviewType = "review_type"
    case servicingInNetwork = "servicing_in_network"
}

/// What one checkbox option means, where the plan acts on it.
public enum CheckboxOptionRole: String, Sendable, Equatable, Codable, CaseIterable {
    /// Ticking it makes the request urgent (the due-by is then `due_by.urgent_hours`).
    case urgent
    /// The servicing provider is said to be in network / out of network.
    case inNetwork = "in_network"
    case outOfNetwork = "out_of_network"
}

/// One field of the form as the field map describes it.
public struct FieldSpec: Sendable, Equatable, Codable {
    public var name: String
    public var label: String
    public var section: String
    public var type: FieldType
    public var required: Bool
    public var labelBox: TemplateBox?
    public var valueBox: TemplateBox
    public var validator: FieldValidator?
    public var combCells: Int?
    public var length: Int?
    public var lines: Int?
    public var table: String?
    public var row: Int?
    public var role: FieldRole?
    /// `importance` in the field map; a map that does not say is all context (today's review rule).
    public var importance: FieldImportance
    /// `credentials` in the field map: what a person's name may end with after a comma ("…, DO"). A capital
    /// suffix not in the list is a misread ("DO" read as "BO"), and the field goes to a person.
    public var credentials: [String]?

    public init(name: String, label: String, section: String, type: FieldType, required: Bool, labelBox: TemplateBox?,
                valueBox: TemplateBox, validator: FieldValidator?, combCells: Int?, length: Int?, lines: Int?,
                table: String?, row: Int?, role: FieldRole? = nil, importance: FieldImportance = .context, credentials: [String]? = nil) {
        self.name = name; self.label = label; self.section = section; self.type = type; self.required = required
        self.labelBox = labelBox; self.valueBox = valueBox; self.validator = validator; self.combCells = combCells
        self.length = length; self.lines = lines; self.table = table; self.row = row; self.role = role
        self.importance = importance; self.credentials = credentials
    }

    enum CodingKeys: String, CodingKey {
        case name, label, section, type, required, validator, length, lines, table, row, role, importance, credentials
        case labelBox = "label_box_pt", valueBox = "value_box_pt", combCells = "comb_cells"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), label: try c.decode(String.self, forKey: .label),
                  section: try c.decode(String.self, forKey: .section), type: try c.decode(FieldType.self, forKey: .type),
                  required: try c.decode(Bool.self, forKey: .required),
                  labelBox: try c.decodeIfPresent(TemplateBox.self, forKey: .labelBox),
                  valueBox: try c.decode(TemplateBox.self, forKey: .valueBox),
                  validator: try c.decodeIfPresent(FieldValidator.self, forKey: .validator),
                  combCells: try c.decodeIfPresent(Int.self, forKey: .combCells), length: try c.decodeIfPresent(Int.self, forKey: .length),
                  lines: try c.decodeIfPresent(Int.self, forKey: .lines), table: try c.decodeIfPresent(String.self, forKey: .table),
                  row: try c.decodeIfPresent(Int.self, forKey: .row), role: try c.decodeIfPresent(FieldRole.self, forKey: .role),
                  importance: try c.decodeIfPresent(FieldImportance.self, forKey: .importance) ?? .context,
                  credentials: try c.decodeIfPresent([String].self, forKey: .credentials))
    }
}

/// One option of a checkbox group.
public struct CheckboxOption: Sendable, Equatable, Codable {
    public var value: String
    public var label: String
    public var box: TemplateBox
    public var role: CheckboxOptionRole?

    enum CodingKeys: String, CodingKey { case value, label, role, box = "box_pt" }
}

/// A group of checkboxes, such as the request type; `select` is "one" for a one-of group.
public struct CheckboxGroupSpec: Sendable, Equatable, Codable {
    public var name: String
    public var label: String
    public var section: String
    public var select: String
    public var required: Bool
    public var options: [CheckboxOption]
    public var role: CheckboxGroupRole?
    /// `importance` in the field map; absent is context.
    public var importance: FieldImportance = .context

    public var isOneOf: Bool { select == "one" }

    enum CodingKeys: String, CodingKey { case name, label, section, select, required, options, role, importance }
}

extension CheckboxGroupSpec {
    // In an extension, so the memberwise initialiser stays.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), label: try c.decode(String.self, forKey: .label),
                  section: try c.decode(String.self, forKey: .section), select: try c.decode(String.self, forKey: .select),
                  required: try c.decode(Bool.self, forKey: .required), options: try c.decode([CheckboxOption].self, forKey: .options),
                  role: try c.decodeIfPresent(CheckboxGroupRole.self, forKey: .role),
                  importance: try c.decodeIfPresent(FieldImportance.self, forKey: .importance) ?? .context)
    }
}

/// The form's identity, page size and the fax lines printed on it.
public struct FormInfo: Sendable, Equatable, Codable {
    public var id: String
    public var revision: String
    public var title: String
    public var pageSize: [Double]
    public var faxLines: [String: String]

    enum CodingKeys: String, CodingKey {
        case id, revision, title, pageSize = "page_size_pt", faxLines = "fax_lines"
    }

    public var pageWidth: Double { pageSize.first ?? 612 }
    public var pageHeight: Double { pageSize.count > 1 ? pageSize[1] : 792 }
}

/// A form template: its field map, loaded from JSON; coordinates live in data, never in code.
public struct FormTemplate: Sendable, Equatable, Codable {
    public var form: FormInfo
    public var fields: [FieldSpec]
    public var checkboxGroups: [CheckboxGroupSpec]

    enum CodingKeys: String, CodingKey { case form, fields, checkboxGroups = "checkbox_groups" }

    /// Loads a field map file.
    public static func load(fieldMap path: String) throws(ExtractionError) -> FormTemplate {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .template(path: path, reason: "cannot read the field map (\(error.localizedDescription))")
        }
        do {
            return try JSONDecoder().decode(FormTemplate.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .template(path: path, reason: "missing key '\(key.stringValue)' at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw .template(path: path, reason: "unknown value at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .template(path: path, reason: "wrong value at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)")
        } catch {
            throw .template(path: path, reason: "not a valid field map: \(error)")
        }
    }

    public func field(named name: String) -> FieldSpec? { fields.first { $0.name == name } }

    /// The fields that play `role`, in form order (a role such as `procedure_code` has one per table row).
    public func fields(role: FieldRole) -> [FieldSpec] { fields.filter { $0.role == role } }

    /// The checkbox group that plays `role`, if the form has one.
    public func group(role: CheckboxGroupRole) -> CheckboxGroupSpec? { checkboxGroups.first { $0.role == role } }
}
