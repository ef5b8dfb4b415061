import Dispatch
import Foundation
import Testing
@testable import FaxImaging

/// A well-formed PDF of `pages` 1-inch pages whose content streams each end with an operator poppler
/// does not know: it renders, and reports a syntax error while rendering, not while opening.
private func pdfWithUnknownOperators(pages: Int) -> Data {
    var out = "%PDF-1.4\n"
    var offsets: [Int] = []
    func object(_ body: String) {
        offsets.append(out.utf8.count)
        out += "\(offsets.count) 0 obj\n\(body)\nendobj\n"
    }
    let kids = (0..<pages).map { "\(3 + 2 * $0) 0 R" }.joined(separator: " ")
    object("<< /Type /Catalog /Pages 2 0 R >>")
    object("<< /Type /Pages /Kids [\(kids)] /Count \(pages) >>")
    for page in 0..<pages {
        let content = "0 0 m 36 36 l S notAnOperator\(page)\n"
        object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Contents \(4 + 2 * page) 0 R >>")
        object("<< /Length \(content.utf8.count) >>\nstream\n\(content)endstream")
    }
    let xref = out.utf8.count
    out += "xref\n0 \(offsets.count + 1)\n0000000000 65535 f \n"
    for offset in offsets { out += String(repeating: "0", count: 10 - String(offset).count) + "\(offset) 00000 n \n" }
    out += "trailer\n<< /Size \(offsets.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
    return Data(out.utf8)
}

/// Hands a stream to another thread. `@unchecked Sendable`: each `next()` below runs while the test
/// thread waits, so one thread at a time uses the stream, as PageStream requires.
private final class HandOver: @unchecked Sendable {
    let stream: PageStream
    init(_ stream: PageStream) { self.stream = stream }
}

@Suite struct PopplerDiagnosticsTests {
    /// poppler's messages go to the log of the document being worked on by the calling thread, so a stream
    /// opened on one thread and advanced on others still collects what each `next()` reported.
    @Test func messagesOfEachNextAreCapturedOnTheThreadThatCallsIt() throws {
        let stream = try DocumentDecoder(limits: DecodeLimits(pdfRenderDPI: 72)).open(data: pdfWithUnknownOperators(pages: 2), name: "ops.pdf")
        #expect(stream.expectedPageCount == 2)
        #expect(stream.warnings.allSatisfy { !$0.contains("notAnOperator") })
        let handOver = HandOver(stream)
        for page in 0..<2 {
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                do throws(DecodeError) {
                    let decoded = try handOver.stream.next()
                    #expect(decoded?.provenance.index == page)
                    #expect(decoded?.image.width == 72)
                } catch {
                    Issue.record("page \(page + 1): \(error)")
                }
                done.signal()
            }
            thread.start()
            done.wait()
            #expect(stream.warnings.contains { $0.contains("notAnOperator\(page)") }, "\(stream.warnings)")
        }
        #expect(try stream.next() == nil)
        #expect(stream.pagesRead == 2)
    }
}
