import Foundation
import ReferenceData

/// The read-only shared material beside the project, and the reference data loaded once for all tests.
enum Shared {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static let roster: MemberRoster = try! MemberRoster.load(path: path("reference/members.csv"), columns: .init())
    static let directory: ProviderDirectory = try! ProviderDirectory.load(path: path("reference/providers.csv"), columns: .init())
    /// Installed by scripts/setup.sh, which runs before the tests.
    static let icd10cmFolder = "/usr/local/share/faxintake/icd10cm"
    static let icd10cm: ICD10CM = try! ICD10CM.load(folder: icd10cmFolder)

    static func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent(relative))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}

/// A private temporary folder, removed when the test is done with it.
final class TemporaryFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "reference-tests-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` in the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        try! Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// "MM/DD/YYYY" (the form's, as in the truth files) → "YYYY-MM-DD" (what extraction normalizes dates to).
func isoDate(_ us: String) -> String? {
    let p = us.split(separator: "/")
    guard p.count == 3 else { return nil }
    return "\(p[2])-\(p[0])-\(p[1])"
}
