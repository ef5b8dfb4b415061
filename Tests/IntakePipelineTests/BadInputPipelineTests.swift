import Foundation
import IntakePipeline
import IntakeQueue
import Testing

/// Hostile and broken documents built at test time (none is committed: each is a few bytes to a megabyte).
enum BadInputs {
    /// A little-endian TIFF with one IFD of `(tag, type, value)` entries and `payload` after it.
    static func tiff(_ entries: [(UInt16, UInt16, UInt32)], payload: [UInt8] = Array(repeating: 0, count: 16)) -> Data {
        var out: [UInt8] = Array("II".utf8) + le16(42) + le32(8)
        let payloadOffset = UInt32(8 + 2 + entries.count * 12 + 4)
        out += le16(UInt16(entries.count))
        for (tag, type, value) in entries.sorted(by: { $0.0 < $1.0 }) {
            // 273 StripOffsets points at the payload; everything else is inline.
            let v = tag == 273 ? payloadOffset : value
            out += le16(tag) + le16(type) + le32(1) + (type == 3 ? le16(UInt16(v)) + [0, 0] : le32(v))
        }
        out += le32(0)
        return Data(out + payload)
    }

    /// A G4 fax page header claiming `width` × `height` pixels over 16 bytes of data.
    static func claimedSize(width: UInt32, height: UInt32) -> Data {
        tiff([(256, 4, width), (257, 4, height), (258, 3, 1), (259, 3, 4), (262, 3, 0),
              (273, 4, 0), (277, 3, 1), (278, 4, height), (279, 4, 16)])
    }

    /// A fax with 0 pages: the header's first-IFD offset is 0.
    static let tiffNoDirectory = Data(Array("II".utf8) + le16(42) + le32(0))
    /// A fax with 0 pages: one IFD with no entries.
    static let tiffEmptyDirectory = Data(Array("II".utf8) + le16(42) + le32(8) + le16(0) + le32(0))

    /// A well-formed PDF whose page tree holds `pages` empty pages (100 per intermediate node).
    static func pdf(pages: Int) -> Data {
        var objects: [String] = []  // object n is objects[n - 1]
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        objects.append("")  // the root, filled in below
        var leaves: [Int] = []
        var nodes: [Int] = []
        var remaining = pages
        while remaining > 0 {
            let count = min(100, remaining)
            let nodeNumber = objects.count + 1
            objects.append("")
            nodes.append(nodeNumber)
            var kids: [Int] = []
            for _ in 0..<count {
                objects.append("<< /Type /Page /Parent \(nodeNumber) 0 R /MediaBox [0 0 612 792] >>")
                kids.append(objects.count)
            }
            objects[nodeNumber - 1] = "<< /Type /Pages /Parent 2 0 R /Kids [\(kids.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(count) >>"
            leaves += kids
            remaining -= count
        }
        objects[1] = "<< /Type /Pages /Kids [\(nodes.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(leaves.count) >>"
        var body = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, object) in objects.enumerated() {
            offsets.append(body.utf8.count)
            body += "\(i + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = body.utf8.count
        body += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { body += String(format: "%010d 00000 n \n", offset) }
        body += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(body.utf8)
    }

    /// `count` copies of `data`, each with `flips` random bytes replaced (seeded, so reproducible).
    static func byteFlips(of data: Data, count: Int, flips: Int, seed: UInt64) -> [Data] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            var bytes = [UInt8](data)
            // Past the first 8 bytes: a broken magic number only tests the sniffer, again and again.
            for _ in 0..<flips { bytes[8 + Int(rng.next() % UInt64(bytes.count - 8))] = UInt8(truncatingIfNeeded: rng.next()) }
            return Data(bytes)
        }
    }

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
}

@Suite("Bad input through the daemon") struct BadInputPipelineTests {
    /// 3 GiB of address space: room for tesseract and the worker stacks, far too little for a 100,000² page.
    static let memoryCap = ["prlimit", "--as=3221225472"]

    @Test("every malformed and generated file ends as one item, the failures with a clear reason; no crash, under a memory cap")
    func everyBadInputBecomesAnItem() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        guard let daemon = try DaemonProcess(fixture: fixture) else { return }
        var expectedFailures: [String: String] = [:]  // name → text the reason must contain
        var names: [String: String] = [:]             // sha → name
        func put(_ data: Data, _ name: String, folder: String = "fax", failsWith reason: String? = nil) throws {
            try data.write(to: URL(fileURLWithPath: "\(fixture.spool)/\(folder)/\(name)"))
            names[SHA256Digest.hex(data)] = names[SHA256Digest.hex(data)] ?? name
            if let reason { expectedFailures[name] = reason }
        }
        for path in try FileManager.default.contentsOfDirectory(atPath: Paths.shared.appendingPathComponent("realdata/malformed").path) {
            let data = try Data(contentsOf: Paths.shared.appendingPathComponent("realdata/malformed/\(path)"))
            try put(data, path, folder: path.hasSuffix(".pdf") ? "mail" : "fax")
        }
        try put(BadInputs.claimedSize(width: 100_000, height: 100_000), "huge.tif", failsWith: "limits.max_pixels_per_page")
        try put(BadInputs.pdf(pages: 10_000), "ten-thousand.pdf", folder: "mail", failsWith: "limits.max_pages_per_file")
        try put(BadInputs.pdf(pages: 0), "no-pages.pdf", folder: "mail", failsWith: "no pages")
        try put(BadInputs.tiffNoDirectory, "no-directory.tif", failsWith: "damaged")
        try put(BadInputs.tiffEmptyDirectory, "empty-directory.tif", failsWith: "damaged")
        try put(Data(), "zero.tif", failsWith: "empty (0 bytes)")
        try put(Data("Dear UM team, please see attached.\n".utf8), "note.tif", failsWith: "not a TIFF or PDF")
        let tiff = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0018.tif")))
        let pdf = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0019.pdf")))
        for (i, data) in BadInputs.byteFlips(of: tiff, count: 3, flips: 20, seed: 11).enumerated() { try put(data, "flip-\(i).tif") }
        for (i, data) in BadInputs.byteFlips(of: pdf, count: 3, flips: 20, seed: 12).enumerated() { try put(data, "flip-\(i).pdf", folder: "mail") }
        for (i, cut) in [tiff.count / 4, tiff.count / 2].enumerated() { try put(tiff.prefix(cut), "cut-\(i).tif") }
        for (i, cut) in [pdf.count / 4, pdf.count / 2].enumerated() { try put(pdf.prefix(cut), "cut-\(i).pdf", folder: "mail") }

        let outcome = try daemon.runOnce(wrapper: Self.memoryCap)
        #expect(outcome.status == 0, "exit \(outcome.status): \(outcome.stderr.suffix(2000))")
        #expect(fixture.spoolFiles().isEmpty, "left: \(fixture.spoolFiles())")
        let store = try SQLiteQueueStore(path: daemon.database)
        let items = try store.all()
        #expect(Set(items.map(\.sha256)) == Set(names.keys))
        for item in items {
            let name = names[item.sha256] ?? item.sourceFileName
            if let expected = expectedFailures[name] {
                #expect(item.status == .failed, "\(name) should have failed")
                #expect(item.failure?.reason.contains(expected) == true, "\(name): \(item.failure?.reason ?? "-")")
                #expect(item.failure?.permanent == true, "\(name): bad input is not retried")
            }
            if item.status == .failed {
                let reason = item.failure?.reason ?? ""
                #expect(reason.count >= 10 && !reason.contains("\n"), "\(name): unclear reason '\(reason)'")
                #expect(!reason.contains(fixture.root), "\(name): the reason names a path")
            } else {
                #expect(item.status == .queued, "\(name): \(item.status)")
            }
        }
        #expect(try store.integrityCheck())
        print("bad inputs tried through the daemon: \(names.count), failed: \(items.filter { $0.status == .failed }.count), queued for a person: \(items.filter { $0.status == .queued }.count)")
    }
}
