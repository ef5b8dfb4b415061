/// A reference file that cannot be used, with where the problem is: file, line, column (a header name) and what is wrong.
public struct ReferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, one case per thing an administrator fixes differently.
    public enum Problem: Sendable, Equatable {
        /// The file (or folder) cannot be opened or read; the reason is the system's.
        case unreadable(reason: String)
        /// The header lacks a configured column.
        case missingColumn
        /// A row has another number of fields than the header.
        case wrongFieldCount(expected: Int, found: Int)
        /// A quoted field is never closed.
        case unterminatedQuote
        /// A value that must be a date (YYYY-MM-DD) is not one.
        case badDate(value: String)
        /// A value outside the column's allowed set (e.g. `network` not `in`/`out`).
        case badValue(value: String, allowed: [String])
        /// A required value (an id, an NPI) is empty or not of its shape.
        case badKey(value: String)
        /// The same key twice; the line of the first is given.
        case duplicateKey(value: String, firstLine: Int)
        /// The file is empty: no header.
        case noHeader
        /// A folder lacks a file matching this pattern.
        case missingFile(pattern: String)
        /// The XML is not well formed, or not the ICD-10-CM tabular list.
        case badXML(reason: String)
    }

    /// The path as configured.
    public var file: String
    /// 1-based line in the file, when the problem is at one.
    public var line: Int?
    /// The column's header name (CSV) or the 1-based character column (XML), when known.
    public var column: String?
    public var problem: Problem

    public init(file: String, line: Int? = nil, column: String? = nil, problem: Problem) {
        self.file = file
        self.line = line
        self.column = column
        self.problem = problem
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += " column \(column)" }
        switch problem {
        case .unreadable(let reason): return "\(place): cannot read: \(reason)"
        case .missingColumn: return "\(place): the header has no column named \(column ?? "?")"
        case .wrongFieldCount(let expected, let found): return "\(place): \(found) fields where the header has \(expected)"
        case .unterminatedQuote: return "\(place): a quoted field is never closed"
        case .badDate(let value): return "\(place): \"\(value)\" is not a date (YYYY-MM-DD)"
        case .badValue(let value, let allowed): return "\(place): \"\(value)\" is not one of \(allowed.joined(separator: ", "))"
        case .badKey(let value): return "\(place): \"\(value)\" is not a valid key"
        case .duplicateKey(let value, let firstLine): return "\(place): \"\(value)\" is already on line \(firstLine)"
        case .noHeader: return "\(place): the file is empty (no header line)"
        case .missingFile(let pattern): return "\(place): no file matching \(pattern)"
        case .badXML(let reason): return "\(place): \(reason)"
        }
    }
}
