import Foundation
import Testing
@testable import FaxImaging

@Suite struct BadInputTests {
    let decoder = DocumentDecoder()

    /// Every malformed file either decodes to sane pages or fails with a one-line reason naming the file.
    @Test(arguments: Shared.files(in: "realdata/malformed"))
    func malformedFileDecodesOrFailsClearly(path: String) {
        do {
            let document = try decoder.decode(path: path)
            #expect(!document.pages.isEmpty)
            for page in document.pages {
                #expect(page.image.width > 0 && page.image.height > 0)
                #expect(page.image.width * page.image.height <= DecodeLimits.default.maxPixelsPerPage)
            }
        } catch {
            #expect(error.isBadInput)
            #expect(error.description.hasPrefix(path + ": "))
            #expect(!error.reason.isEmpty)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func formatIsRecognisedByContentNotExtension() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-sniff-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let disguised = dir.appendingPathComponent("scan.pdf")
        try FileManager.default.copyItem(atPath: Shared.path("corpus-dev/0001.tif"), toPath: disguised.path)
        #expect(try decoder.decode(path: disguised.path).format == .tiff)

        let text = dir.appendingPathComponent("notes.tif")
        try Data("not an image".utf8).write(to: text)
        #expect(throws: DecodeError.unrecognizedFormat(file: text.path)) { try decoder.decode(path: text.path) }

        let empty = dir.appendingPathComponent("empty.tif")
        try Data().write(to: empty)
        #expect(throws: DecodeError.empty(file: empty.path)) { try decoder.decode(path: empty.path) }

        #expect(throws: DecodeError.missing(file: dir.path + "/absent.tif")) { try decoder.decode(path: dir.path + "/absent.tif") }
    }

    @Test func truncatedFaxFailsOrKeepsWhatIsThere() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-trunc-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Shared.path("corpus-dev/0002.tif")))
        for cut in [8, 100, bytes.count / 3, bytes.count / 2, bytes.count - 10] {
            let file = dir.appendingPathComponent("cut-\(cut).tif")
            try bytes.prefix(cut).write(to: file)
            do {
                let document = try decoder.decode(path: file.path)
                #expect(!document.pages.isEmpty)
            } catch {
                #expect(error.isBadInput)
            }
        }
    }
}
