import Foundation
import Testing
@testable import FaxImaging

private func bytes(_ relative: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: Shared.path(relative)))
}

/// Decoding from the bytes already read, one page at a time.
@Suite struct StreamDecodeTests {
    let decoder = DocumentDecoder()

    /// The bytes API gives, page for page, what the path-based decoder gave; streaming gives the same as collecting.
    @Test(arguments: pathDecoderPages.keys.sorted())
    func bytesGiveThePathDecodersPages(relative: String) throws {
        var want = try #require(pathDecoderPages[relative])
        let data = try bytes(relative)
        let document = try decoder.decode(data: data, name: relative)
        #expect(document.file == relative)
        if pagesDrawnWithTheMachinesFonts.contains(relative) {
            // Its text is drawn with whatever fonts this machine substitutes: the recorded pixels hold only
            // where the recording's fonts are installed. Everything else must match the recording, and the
            // pixels must match what the path API draws here, now.
            let here = try decoder.decode(path: Shared.path(relative)).pages.map(PageFingerprint.init)
            #expect(document.pages.map { PageFingerprint($0).withoutPixels } == want.map(\.withoutPixels))
            want = here
        }
        #expect(document.pages.map(PageFingerprint.init) == want)
        for (index, page) in document.pages.enumerated() {
            #expect(page.provenance.file == relative)
            #expect(page.provenance.index == index)
        }

        let stream = try decoder.open(data: data, name: relative)
        #expect(stream.name == relative)
        #expect(stream.format == document.format)
        #expect(stream.fax == document.fax)
        #expect(stream.formValues == document.formValues)
        #expect(stream.expectedPageCount == (document.format == .pdf ? want.count : nil))
        var streamed: [PageFingerprint] = []
        while let page = try stream.next() {
            streamed.append(PageFingerprint(page))
            #expect(stream.pagesRead == streamed.count)
        }
        #expect(streamed == want)
        #expect(try stream.next() == nil, "a finished stream stays finished")
        #expect(stream.pagesRead == want.count)
    }

    /// `decode(path:)` reads the file and decodes its bytes under the path's name.
    @Test func pathDecodeIsTheBytesDecodeUnderThePathsName() throws {
        let path = Shared.path("corpus-dev/0001.tif")
        let byPath = try decoder.decode(path: path)
        let byBytes = try decoder.decode(data: try bytes("corpus-dev/0001.tif"), name: path)
        #expect(byPath.file == path)
        #expect(byPath.pages.map(PageFingerprint.init) == byBytes.pages.map(PageFingerprint.init))
        #expect(byPath.pages.allSatisfy { $0.provenance.file == path })
        #expect(byPath.fax == byBytes.fax)
        #expect(byPath.fax.stationID == "4181182423")
    }

    @Test func fillablePDFValuesAreThereRightAfterOpen() throws {
        let stream = try decoder.open(data: try bytes("corpus-dev/0019.pdf"), name: "0019.pdf")
        #expect(stream.pagesRead == 0)
        #expect(stream.expectedPageCount == 1)
        #expect(!stream.formValues.isEmpty)
        #expect(stream.formValues == (try decoder.decode(path: Shared.path("corpus-dev/0019.pdf"))).formValues)
    }

    @Test func faxTagsAreThereRightAfterOpen() throws {
        let stream = try decoder.open(data: try bytes("realdata/faxes/g4_fillorder_lsb2msb_kofax.tif"), name: "kofax.tif")
        #expect(stream.pagesRead == 0)
        #expect(stream.fax.stationID == "Kofax PDF Filter - version 3.75.")
        #expect(stream.fax.dateTime == "2005:12:07 07:38:25")
    }

    /// The spooled file is read and hashed once; what is decoded must be those bytes, whatever the path holds later.
    @Test func decodingBytesNeverTouchesThePath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-bytes-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("incoming.tif")
        try FileManager.default.copyItem(atPath: Shared.path("corpus-dev/0001.tif"), toPath: file.path)
        let data = try Data(contentsOf: file)

        // Replaced by another fax before the decode: the bytes read still give the first one.
        try FileManager.default.removeItem(at: file)
        try FileManager.default.copyItem(atPath: Shared.path("corpus-dev/0004.tif"), toPath: file.path)
        let replaced = try decoder.decode(data: data, name: file.path)
        #expect(replaced.pages.map(PageFingerprint.init) == pathDecoderPages["corpus-dev/0001.tif"])

        // Deleted: the stream opened over the bytes reads every page.
        try FileManager.default.removeItem(at: file)
        let stream = try decoder.open(data: data, name: file.path)
        var pages: [PageFingerprint] = []
        while let page = try stream.next() { pages.append(PageFingerprint(page)) }
        #expect(pages == pathDecoderPages["corpus-dev/0001.tif"])
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    @Test func bytesWithoutAFormatAreRefusedByName() {
        #expect(throws: DecodeError.empty(file: "a.tif")) { try decoder.open(data: Data(), name: "a.tif") }
        #expect(throws: DecodeError.unrecognizedFormat(file: "b.tif")) { try decoder.open(data: Data("not an image".utf8), name: "b.tif") }
        #expect(throws: DecodeError.empty(file: "c.pdf")) { try decoder.decode(data: Data(), name: "c.pdf") }
    }

    @Test func pdfOverThePageLimitFailsAtOpen() throws {
        let strict = DocumentDecoder(limits: DecodeLimits(maxPagesPerFile: 2))
        #expect(throws: DecodeError.pageLimit(file: "0007.pdf", pages: 3, limit: 2)) {
            try strict.open(data: try bytes("corpus-dev/0007.pdf"), name: "0007.pdf")
        }
    }

    @Test func errorEndsTheStream() throws {
        let small = DocumentDecoder(limits: DecodeLimits(maxPixelsPerPage: 1_000_000))
        let stream = try small.open(data: try bytes("corpus-dev/0001.tif"), name: "0001.tif")
        let limit = DecodeError.pixelLimit(file: "0001.tif", page: 0, width: 1728, height: 2156, limit: 1_000_000)
        #expect(throws: limit) { try stream.next() }
        #expect(throws: limit, "the same error again, never the pages past it") { try stream.next() }
        #expect(stream.pagesRead == 0)
    }
}

/// A fax of `copies` copies of one page, made with tiffcp (libtiff-tools), in a temporary file.
private func longFax(of relative: String, copies: Int) throws -> (data: Data, cleanup: () -> Void) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-long-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let out = dir.appendingPathComponent("long.tif")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/tiffcp")
    process.arguments = [String](repeating: Shared.path(relative), count: copies) + [out.path]
    try process.run()
    process.waitUntilExit()
    let data = try Data(contentsOf: out)
    return (data, { try? FileManager.default.removeItem(at: dir) })
}

@Suite struct LongFaxTests {
    /// A 300-page fax streams page by page, in order, each the page it was copied from.
    @Test func threeHundredPagesStreamInOrder() throws {
        let (data, cleanup) = try longFax(of: "corpus-dev/0003.tif", copies: 300)
        defer { cleanup() }
        let single = try DocumentDecoder().decode(path: Shared.path("corpus-dev/0003.tif")).pages
        #expect(single.count == 1 && single[0].image.width == 1728 && single[0].image.height == 2156) // as tiffinfo says
        let page = PageFingerprint(try #require(single.first))
        let stream = try DocumentDecoder().open(data: data, name: "long.tif")
        #expect(stream.fax.stationID == "4695729736")
        var count = 0
        while let next = try stream.next() {
            #expect(next.provenance.index == count)
            #expect(next.provenance.file == "long.tif")
            #expect(PageFingerprint(next) == page)
            count += 1
            #expect(stream.pagesRead == count)
        }
        #expect(count == 300)
    }

    /// With a limit of 299 pages, the 300th page is refused as soon as it is reached, naming the limit.
    @Test func pageBeyondTheLimitIsRefused() throws {
        let (data, cleanup) = try longFax(of: "corpus-dev/0003.tif", copies: 300)
        defer { cleanup() }
        let stream = try DocumentDecoder(limits: DecodeLimits(maxPagesPerFile: 299)).open(data: data, name: "long.tif")
        var count = 0
        do {
            while try stream.next() != nil { count += 1 }
            Issue.record("a 300-page fax passed a 299-page limit")
        } catch {
            #expect(error == .pageLimit(file: "long.tif", pages: 300, limit: 299))
            #expect(error.description.contains("max_pages_per_file"))
            #expect(error.description.contains("299"))
        }
        #expect(count == 299)
        #expect(stream.pagesRead == 299)
    }
}

