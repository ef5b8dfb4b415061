import Foundation
import IntakePipeline
import Testing

@Suite struct ArchiveTests {
    /// A kill during the archive copy leaves a hidden partial file; the next start removes it,
    /// and never a live writer's file or an archived original.
    @Test func startRemovesPartialWritesOfDeadProcessesOnly() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-archive-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let archive = OriginalArchive(root: root)
        try archive.prepare()
        let sha = String(repeating: "ab", count: 32)
        let kept = try archive.store(original: Data("%PDF-1.4 test".utf8), sha256: sha, sidecar: nil)

        // A process that has exited: its pid names the abandoned partial write.
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let shard = "\(root)/ab"
        let abandoned = "\(shard)/.tmp-\(finished.processIdentifier)-0000"
        let live = "\(shard)/.tmp-\(getpid())-1111"
        FileManager.default.createFile(atPath: abandoned, contents: Data("partial".utf8))
        FileManager.default.createFile(atPath: live, contents: Data("in progress".utf8))

        let removed = try archive.prepare()
        #expect(removed == 1)
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(FileManager.default.fileExists(atPath: live))
        #expect(FileManager.default.fileExists(atPath: kept))
    }
}
