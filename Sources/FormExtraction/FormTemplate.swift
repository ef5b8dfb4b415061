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

/// One field of the form as the field map describes it.
public struct FieldSpec: Sendable, Equatable, Codable {
    public var name: String
    public var label: String
    public var section: String
    public var type: String
    public var required: Bool
    public var labelBox: TemplateBox?
    public var valueBox: TemplateBox
    public var validator: String?
    public var combCells: Int?
    public var length: Int?
    public var lines: Int?
    public var table: String?
    public var row: Int?

    enum CodingKeys: String, CodingKey {
        case name, label, section, type, required, validator, length, lines, table, row
        case labelBox = "label_box_pt", valueBox = "value_box_pt", combCells = "comb_cells"
    }
}

/// One option of a checkbox group.
public struct CheckboxOption: Sendable, Equatable, Codable {
    public var value: String
    public var label: String
    public var box: TemplateBox

    enum CodingKeys: String, CodingKey { case value, label, box = "box_pt" }
}

/// A group of checkboxes, such as the request type; `select` is "one" for a one-of group.
public struct CheckboxGroupSpec: Sendable, Equatable, Codable {
    public var name: String
    public var label: String
    public var section: String
    public var select: String
    public var required: Bool
    public var options: [CheckboxOption]

    public var isOneOf: Bool { select == "one" }
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
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .template(path: path, reason: "wrong value at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)")
        } catch {
            throw .template(path: path, reason: "not a valid field map: \(error)")
        }
    }

    public func field(named name: String) -> FieldSpec? { fields.first { $0.name == name } }
}
