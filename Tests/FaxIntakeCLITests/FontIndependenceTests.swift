import Foundation
import Testing

/// The blank form PDF does not embed its fonts: what rendering it measures moves with the fonts a machine
/// has. Registration must not: the form's structure is stored beside it, so two machines that differ only
/// in their fonts read a fax alike.
@Suite struct FontIndependenceTests {
    static let fontFolders = ["dejavu": "/usr/share/fonts/truetype/dejavu", "urw": "/usr/share/fonts/opentype/urw-base35"]

    /// A fontconfig file that knows one folder of fonts only (and its own cache).
    static func fontconfig(_ name: String, in work: String) throws -> String {
        let folder = try #require(fontFolders[name])
        #expect(FileManager.default.fileExists(atPath: folder), "\(folder) is missing: scripts/setup.sh installs it")
        let path = "\(work)/\(name).conf"
        try """
        <?xml version="1.0"?>
        <!DOCTYPE fontconfig SYSTEM "fonts.dtd">
        <fontconfig><dir>\(folder)</dir><cachedir>\(work)/cache-\(name)</cachedir></fontconfig>
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `faxintake ARGS` under a fontconfig file: its exit status and standard output.
    static func run(_ arguments: [String], fontconfig: String) throws -> (status: Int32, output: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltBinary.path())
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["OMP_THREAD_LIMIT": "1", "FONTCONFIG_FILE": fontconfig]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func aFaxReadsAlikeWhateverFontsTheMachineHas() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-fonts-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let pipeline = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Pipelines/prior-auth.yml").path
        // A fine fax drawn by the corpus generator, and a form printed and faxed from paper by real fax software.
        for fax in ["corpus-dev/0002.tif", "corpus-t30-dev/0036.tif"] {
            var readings: [String: [String: String]] = [:]
            var forms: [String: String] = [:]
            for fonts in Self.fontFolders.keys.sorted() {
                let result = try Self.run(["extract", "\(ExitCodeTests.shared)/\(fax)", "--pipeline", pipeline],
                                          fontconfig: try Self.fontconfig(fonts, in: work))
                #expect(result.status == 0, "\(fax) with \(fonts) fonts only")
                let json = try #require(try JSONSerialization.jsonObject(with: result.output) as? [String: Any])
                let fields = try #require(json["fields"] as? [String: [String: Any]])
                readings[fonts] = fields.mapValues { "\($0["value"] ?? "")" }
                let form = try #require(json["form"] as? [String: Any])
                forms[fonts] = String(decoding: try JSONSerialization.data(withJSONObject: form, options: [.sortedKeys]), as: UTF8.self)
            }
            #expect(readings["dejavu"] == readings["urw"], "\(fax): fields differ between font sets")
            #expect(forms["dejavu"] == forms["urw"], "\(fax): registration differs between font sets")
            #expect(readings["dejavu"]?.values.contains { !$0.isEmpty } == true)
        }
    }

    @Test func theStoredStructureIsWhatTheFormMeasuresWithThisMachinesDefaultFonts() throws {
        // Not a claim about fonts: a check that the stored file is a measurement of this form (same bars,
        // allowing for where a heading's white letters meet a bar's left end), not a stale one.
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-structure-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let stored = root.appendingPathComponent("Pipelines/forms/medical-prior-authorization-request-form.structure.json")
        let result = try Self.run(["form-structure", "--pipeline", root.appendingPathComponent("Pipelines/prior-auth.yml").path,
                                   "--output", "\(work)/measured.json"], fontconfig: try Self.fontconfig("dejavu", in: work))
        #expect(result.status == 0)
        func bars(_ url: URL) throws -> [[String: Double]] {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            return try #require(json["bars"] as? [[String: Double]])
        }
        let measured = try bars(URL(fileURLWithPath: "\(work)/measured.json")), kept = try bars(stored)
        #expect(measured.count == kept.count)
        for (a, b) in zip(measured, kept) {
            for edge in ["top", "bottom", "right"] { #expect(abs((a[edge] ?? 0) - (b[edge] ?? 0)) < 0.5) }
            #expect(abs((a["left"] ?? 0) - (b["left"] ?? 0)) < 3)
        }
    }
}
