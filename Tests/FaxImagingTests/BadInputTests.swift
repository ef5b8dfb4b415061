import Foundation
import Testing
@testable import FaxImaging

@Suite struct BadInputTests {
    let decoder = DocumentDecoder()

    /// Every malformed file, opened from its bytes and read page by page, either gives sane pages or fails
    /// with a one-line reason naming the file; whatever was read before a failure was sane too.
    @Test(arguments: Shared.files(in: "realdata/malformed"))
    func malformedFileDecodesOrFailsClearly(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let name = URL(fileURLWithPath: path).lastPathComponent
        var pages = 0
        do {
            let stream = try decoder.open(data: data, name: name)
            while let page = try stream.next() {
                pages += 1
                #expect(stream.pagesRead == pages)
                #expect(page.provenance.file == name)
                #expect(page.image.width > 0 && page.image.height > 0)
                #expect(page.image.width * page.image.height <= DecodeLimits.default.maxPixelsPerPage)
                #expect(page.image.pixels.count == page.image.width * page.image.height)
            }
            #expect(pages > 0)
            #expect(pages <= DecodeLimits.default.maxPagesPerFile)
        } catch {
            #expect(error.isBadInput)
            #expect(error.file == name)
            #expect(error.description.hasPrefix(name + ": "))
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
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Shared.path("corpus-dev/0002.tif")))
        for cut in [8, 100, bytes.count / 3, bytes.count / 2, bytes.count - 10] {
            let name = "cut-\(cut).tif"
            do {
                let document = try decoder.decode(data: bytes.prefix(cut), name: name)
                #expect(!document.pages.isEmpty)
            } catch {
                #expect(error.isBadInput)
                #expect(error.file == name)
            }
        }
    }
}
