import Foundation
import Testing
@testable import FaxIntakeCLI

/// `users add`, `audit list` and `console`'s argument checks, through the real binary (the password comes on standard input).
@Suite struct ConsoleCommandTests {
    static let pipeline = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Pipelines/prior-auth.yml").path

    /// Runs the binary with `input` on standard input; returns its exit status and standard output.
    func faxintake(_ arguments: [String], input: String = "") throws -> (status: Int32, output: String) {
        let binary = try BuiltBinary.path()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["OMP_THREAD_LIMIT": "1"]) { $1 }
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func usersAddReadsThePasswordFromStandardInputAndIsAudited() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-users-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let common = ["--pipeline", Self.pipeline, "--state", state]
        #expect(try faxintake(["users", "add", "ann", "--role", "admin"] + common, input: "correct horse battery\n").status == 0)
        // Taken name, short password, unknown role, bad name.
        #expect(try faxintake(["users", "add", "ann", "--role", "admin"] + common, input: "correct horse battery\n").status == 65)
        #expect(try faxintake(["users", "add", "bob", "--role", "admin"] + common, input: "short\n").status == 65)
        #expect(try faxintake(["users", "add", "bob", "--role", "boss"] + common, input: "correct horse battery\n").status == 64)
        #expect(try faxintake(["users", "add", "bob smith", "--role", "reviewer"] + common, input: "correct horse battery\n").status == 64)
        let users = try faxintake(["users", "list"] + common)
        #expect(users.status == 0 && users.output.contains("ann  admin"))
        let audit = try faxintake(["audit", "list", "--json"] + common)
        #expect(audit.status == 0)
        let entry = try #require(audit.output.split(separator: "\n").first)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(entry.utf8)) as? [String: Any])
        #expect(json["action"] as? String == "add_user" && json["detail"] as? String == "ann as admin")
        #expect(try faxintake(["audit", "list", "--user", "nobody"] + common).output.isEmpty)
        #expect(try faxintake(["audit", "list", "--since", "2999-01-01"] + common).output.isEmpty)
        // The password is never stored as given.
        let database = try Data(contentsOf: URL(fileURLWithPath: state + "/queue.sqlite"))
        #expect(database.range(of: Data("correct horse battery".utf8)) == nil)
    }

    @Test func consoleRefusesABadAddressAndHalfATLSPair() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-console-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let common = ["--pipeline", Self.pipeline, "--state", state]
        #expect(try faxintake(["console", "--listen", "nowhere"] + common).status == 64)
        #expect(try faxintake(["console", "--listen", "127.0.0.1:99999"] + common).status == 64)
        #expect(try faxintake(["console", "--tls-cert", "/nonexistent.pem"] + common).status == 64)
        #expect(try faxintake(["console", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key", "--listen", "127.0.0.1:9"] + common).status == 78)
    }
}
