import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The ICD-10-CM code set: every code of the tabular list (7th-character extensions included), its
/// description, and whether it is billable — a leaf of the tree, a code with no child codes. Chapters
/// ("1") and blocks ("A00-A09") are not codes. Look-ups ignore the dot and case: "R26.81" = "r2681".
public final class ICD10CM: Sendable {
    /// One code of the set.
    public struct Code: Sendable, Hashable {
        /// As printed, with its dot ("R26.81").
        public var code: String
        public var description: String
        public var isBillable: Bool
    }

    /// The folder it was loaded from.
    public let folder: String
    /// Code without dot, uppercase → entry.
    private let codes: [String: Code]

    public var count: Int { codes.count }

    /// File name patterns in the folder, as shipped in PyPI's simple-icd-10-cm wheel (the CDC's release files).
    public static let codeListPattern = "code-list-*.txt"
    public static let tabularPatterns = ["icd10cm-tabular-*.xml", "icd10c-tabular-*.xml"]

    private init(folder: String, codes: [String: Code]) {
        self.folder = folder
        self.codes = codes
    }

    public func code(_ code: String) -> Code? { codes[ICD10CM.key(code)] }
    public func contains(_ code: String) -> Bool { self.code(code) != nil }
    public func isBillable(_ code: String) -> Bool { self.code(code)?.isBillable ?? false }
    public func description(of code: String) -> String? { self.code(code)?.description }

    /// Uppercase, without dot or spaces.
    static func key(_ code: String) -> String {
        String(code.uppercased().filter { $0 != "." && !$0.isWhitespace })
    }

    /// Loads the folder's code list and tabular XML. The code list decides which 7th-character extensions
    /// exist (the tabular list gives them per category, with exceptions only the list knows).
    public static func load(folder: String) throws(ReferenceError) -> ICD10CM {
        let listPath = try findOne(in: folder, patterns: [codeListPattern])
        let xmlPath = try findOne(in: folder, patterns: tabularPatterns)
        let listBytes = try readWholeFile(listPath)
        var listed = Set<String>()
        for line in String(decoding: listBytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            if let first = line.split(separator: " ").first { listed.insert(key(String(first))) }
        }
        let xml = try readWholeFile(xmlPath)
        let reader = TabularReader(listed: listed)
        let parser = XMLParser(data: Data(xml))
        parser.delegate = reader
        guard parser.parse(), reader.failure == nil else {
            let columnNumber = reader.errorColumn ?? parser.columnNumber
            let column = columnNumber > 0 ? String(columnNumber) : nil
            let reason = reader.failure ?? parser.parserError.map { "not well-formed XML: \($0.localizedDescription)" } ?? "not well-formed XML"
            throw ReferenceError(file: xmlPath, line: reader.errorLine ?? parser.lineNumber, column: column, problem: .badXML(reason: reason))
        }
        guard reader.sawRoot, !reader.codes.isEmpty else {
            throw ReferenceError(file: xmlPath, problem: .badXML(reason: "no <ICD10CM.tabular> with <diag> codes"))
        }
        return ICD10CM(folder: folder, codes: reader.codes)
    }

    /// The one file in `folder` matching one of the patterns (a `*` wildcard); none or several is an error.
    static func findOne(in folder: String, patterns: [String]) throws(ReferenceError) -> String {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw ReferenceError(file: folder, problem: .unreadable(reason: "not a readable folder"))
        }
        let matches = names.filter { name in
            patterns.contains { pattern in
                let parts = pattern.split(separator: "*", maxSplits: 1).map(String.init)
                return name.hasPrefix(parts[0]) && name.hasSuffix(parts[1]) && name.count >= parts[0].count + parts[1].count
            }
        }.sorted()
        guard let first = matches.first else {
            throw ReferenceError(file: folder, problem: .missingFile(pattern: patterns.joined(separator: " or ")))
        }
        guard matches.count == 1 else {
            throw ReferenceError(file: folder, problem: .unreadable(reason: "several files match \(patterns.joined(separator: " or ")): \(matches.joined(separator: ", ")); keep one release"))
        }
        return (folder as NSString).appendingPathComponent(first)
    }
}

/// The tabular list's `<diag>` tree, walked with XMLParser: each diag's `<name>`, `<desc>`, its child diags,
/// and the `<sevenChrDef>` that applies to it (its own or the nearest ancestor's seen before it).
private final class TabularReader: NSObject, XMLParserDelegate {
    struct Node {
        var name = ""
        var description = ""
        var children = 0
        var sevenCharacters: [(character: String, text: String)] = []
        /// Inherited from an ancestor when this node has none of its own.
        var inherited: [(character: String, text: String)] = []
    }

    let listed: Set<String>
    var codes: [String: ICD10CM.Code] = [:]
    var failure: String?
    var sawRoot = false
    var errorLine: Int?
    var errorColumn: Int?
    private var elements: [String] = []
    private var nodes: [Node] = []
    private var text = ""
    private var extensionCharacter: String?

    init(listed: Set<String>) {
        self.listed = listed
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if elements.isEmpty {
            sawRoot = name == "ICD10CM.tabular"
            if !sawRoot { failure = "the root element is <\(name)>, not <ICD10CM.tabular>"; parser.abortParsing() }
        }
        let parent = elements.last
        elements.append(name)
        text = ""
        switch name {
        case "diag":
            nodes.last.map { _ in nodes[nodes.count - 1].children += 1 }
            var node = Node()
            node.inherited = nodes.last.map { $0.sevenCharacters.isEmpty ? $0.inherited : $0.sevenCharacters } ?? []
            nodes.append(node)
        case "extension" where parent == "sevenChrDef":
            extensionCharacter = attributes["char"]
        default:
            break
        }
    }

    // Recorded here too: on Linux, parse() can return true for a document libxml2 reported errors in.
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        if failure == nil { failure = "not well-formed XML: \(parseError.localizedDescription)" }
        errorLine = parser.lineNumber
        errorColumn = parser.columnNumber
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        elements.removeLast()
        let parent = elements.last
        let raw = text
        text = ""
        // Trimmed only where kept: most elements' text is not, and the file has a few hundred thousand.
        var value: String { raw.trimmingCharacters(in: .whitespacesAndNewlines) }
        switch name {
        case "name" where parent == "diag":
            nodes[nodes.count - 1].name = value
        case "desc" where parent == "diag":
            nodes[nodes.count - 1].description = value
        case "extension" where parent == "sevenChrDef":
            if let c = extensionCharacter { nodes[nodes.count - 1].sevenCharacters.append((c, value)) }
            extensionCharacter = nil
        case "note" where parent == "sevenChrDef":
            // A note continues the extension before it (e.g. "initial encounter for closed fracture/…").
            if !nodes[nodes.count - 1].sevenCharacters.isEmpty {
                nodes[nodes.count - 1].sevenCharacters[nodes[nodes.count - 1].sevenCharacters.count - 1].text += "/" + value
            }
        case "diag":
            let node = nodes.removeLast()
            finish(node)
        default:
            break
        }
    }

    /// Records a diag; a leaf under a 7th-character definition gets the extended codes the code list confirms
    /// (placeholder X up to six characters), which makes it a non-billable parent.
    private func finish(_ node: Node) {
        guard !node.name.isEmpty else { return }
        var children = node.children
        if children == 0 {
            let table = node.sevenCharacters.isEmpty ? node.inherited : node.sevenCharacters
            if !table.isEmpty {
                var base = node.name
                if base.count == 3 { base += "." }
                while base.count < 7 { base += "X" }
                for (character, text) in table {
                    let extended = base + character
                    let key = ICD10CM.key(extended)
                    guard listed.contains(key) else { continue }
                    codes[key] = ICD10CM.Code(code: extended, description: node.description + ", " + text, isBillable: true)
                    children += 1
                }
            }
        }
        codes[ICD10CM.key(node.name)] = ICD10CM.Code(code: node.name, description: node.description, isBillable: children == 0)
    }
}
