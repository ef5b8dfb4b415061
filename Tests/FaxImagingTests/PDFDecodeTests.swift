import Foundation
import Testing
@testable import FaxImaging

private struct Truth: Decodable {
    var kind: String
    var fields: [String: String]
    var checkboxGroups: [String: [String]]
    enum CodingKeys: String, CodingKey { case kind, fields, checkboxGroups = "checkbox_groups" }
}

private func truth(for path: String) throws -> Truth {
    let url = URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("truth.json")
    return try JSONDecoder().decode(Truth.self, from: Data(contentsOf: url))
}

private let fillablePDFs = Shared.files(in: "corpus-dev").filter {
    $0.hasSuffix(".pdf") && ((try? truth(for: $0).kind) == "fillable_pdf")
}

@Suite struct PDFDecodeTests {
    let decoder = DocumentDecoder()

    @Test func corpusHasFillablePDFs() { #expect(fillablePDFs.count >= 5) }

    @Test(arguments: fillablePDFs)
    func acroFormValuesMatchTruth(path: String) throws {
        let document = try decoder.decode(path: path)
        let want = try truth(for: path)
        for (name, value) in want.fields {
            #expect(document.formValues[name] == .text(value), "field \(name)")
        }
        for (group, selected) in want.checkboxGroups {
            let checked = document.formValues.compactMap { key, value -> String? in
                guard key.hasPrefix(group + "."), value == .checkbox(true) else { return nil }
                return String(key.dropFirst(group.count + 1))
            }
            #expect(checked.sorted() == selected.sorted(), "group \(group)")
        }
    }

    @Test func scannedPDFRendersAt300DPIGray() throws {
        let document = try decoder.decode(path: Shared.path("corpus-dev/0011.pdf"))
        #expect(document.pages.count == 1)
        let page = document.pages[0]
        #expect(page.xDPI == 300)
        #expect(page.image.width == 2550 && page.image.height == 3300)
        #expect(!page.isBlank)
        #expect(document.formValues.isEmpty)
    }

    @Test func realScannerPDFsDecode() throws {
        for path in Shared.files(in: "realdata/scans").filter({ $0.hasSuffix(".pdf") }) {
            let document = try decoder.decode(path: path)
            #expect(!document.pages.isEmpty, "\(path)")
        }
    }

    @Test func passwordProtectedPDFSaysSo() {
        for name in ["pdfjs_pwprotected_issue21579.pdf", "pdfjs_pwprotected_issue6010_1.pdf"] {
            let path = Shared.path("realdata/malformed/" + name)
            #expect(throws: DecodeError.passwordRequired(file: path)) { try decoder.decode(path: path) }
        }
    }

    @Test func emptyUserPasswordOpens() throws {
        let document = try decoder.decode(path: Shared.path("realdata/malformed/pdfjs_encrypted_issue17215.pdf"))
        #expect(document.pages.count == 1)
    }
}
