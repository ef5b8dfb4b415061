import Foundation
import IntakePipeline
import IntakeQueue
import Testing

/// The real `faxintake` binary run against a throwaway spool, for the tests that need a separate process:
/// kill -9, dropped privileges, a memory cap, and the logs exactly as an operator would see them.
struct DaemonProcess {
    let binary: String
    let fixture: PipelineFixture
    let pipelineFile: String

    /// What one run left behind.
    struct Outcome {
        var status: Int32
        /// True when the process died of SIGKILL (ours, or the crash point's).
        var killed: Bool
        var stderr: String
        var stdout: String
    }

    /// Writes a pipeline file for the binary with the fixture's folders; nil (and a recorded issue) without a binary.
    init?(fixture: PipelineFixture, state: String? = nil, archive: String? = nil, retryAttempts: Int = 1,
          extraYAML: String = "") throws {
        // A test that names its own form gives it in extraYAML; YAML refuses the key twice.
        let form = extraYAML.contains("form:") ? "" : "form: {template: \(Paths.formTemplate)}"
        // The binary the tests were built with: this scratch path first, then the usual ones.
        var candidates: [String] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent().appendingPathComponent("faxintake").path) }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("faxintake").path)
        for scratch in [".build-reliability", ".build-pipeline", ".build"] {
            candidates.append(Paths.packageRoot.appendingPathComponent("\(scratch)/debug/faxintake").path)
        }
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("faxintake binary not found beside the tests; run swift build first")
            return nil
        }
        self.binary = binary
        self.fixture = fixture
        pipelineFile = fixture.root + "/daemon.yml"
        let yaml = """
            name: daemon
            spool: \(fixture.root)/spool
            state: \(state ?? fixture.root + "/state")
            archive: \(archive ?? fixture.root + "/archive")
            \(form)
            lines:
              - {name: elective, number: 1-555-010-4001, request_types: [outpatient_elective, inpatient_elective]}
              - {name: emergency_inpatient, number: 1-555-010-4002, request_types: [emergency_inpatient]}
              - {name: snf, number: 1-555-010-4003, request_types: [snf]}
            workers: {decode: 1, extract: 2}
            limits: {max_in_flight: 4}
            retry: {attempts: \(retryAttempts), backoff_seconds: 0}
            readiness: {settle_seconds: 0}
            \(extraYAML)
            """
        try yaml.write(toFile: pipelineFile, atomically: true, encoding: .utf8)
    }

    var statePath: String { fixture.root + "/state" }
    var database: String { statePath + "/queue.sqlite" }

    /// Runs `faxintake ARGS --pipeline FILE`, optionally wrapped (setpriv, prlimit, sh -c umask).
    /// `killWhen` is polled every 20 ms and sends SIGKILL once true. The run is bounded so a hang fails
    /// the test instead of stalling CI: past `hangLimit` the process is killed and `status` is -1.
    func run(_ arguments: [String], wrapper: [String] = [], environment: [String: String] = [:],
             hangLimit: TimeInterval = 300, killWhen: ((Int32) -> Bool)? = nil) throws -> Outcome {
        let process = Process()
        let command = wrapper + [binary] + arguments + ["--pipeline", pipelineFile]
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        var env = ProcessInfo.processInfo.environment
        env["OMP_THREAD_LIMIT"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let errURL = URL(fileURLWithPath: fixture.root + "/stderr-\(UUID().uuidString).log")
        let outURL = URL(fileURLWithPath: fixture.root + "/stdout-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let errHandle = try FileHandle(forWritingTo: errURL), outHandle = try FileHandle(forWritingTo: outURL)
        process.standardError = errHandle
        process.standardOutput = outHandle
        try process.run()
        let deadline = Date().addingTimeInterval(hangLimit)
        var hung = false
        while process.isRunning {
            if let killWhen, killWhen(process.processIdentifier) { kill(process.processIdentifier, SIGKILL); break }
            if Date() > deadline { hung = true; kill(process.processIdentifier, SIGKILL); break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.waitUntilExit()
        try errHandle.close()
        try outHandle.close()
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: errURL)
        try? FileManager.default.removeItem(at: outURL)
        let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
        return Outcome(status: hung ? -1 : process.terminationStatus, killed: killed && !hung, stderr: stderr, stdout: stdout)
    }

    /// `run --once`, the shape every test here uses.
    func runOnce(wrapper: [String] = [], environment: [String: String] = [:], hangLimit: TimeInterval = 300,
                 killWhen: ((Int32) -> Bool)? = nil) throws -> Outcome {
        try run(["run", "--once", "--max-wait", "5"], wrapper: wrapper, environment: environment,
                hangLimit: hangLimit, killWhen: killWhen)
    }
}

extension DaemonProcess {
    /// The peak resident set (VmHWM) of the process `pid` or of its one child (the binary runs under
    /// /usr/bin/env and perhaps prlimit, which exec it in place), in KiB.
    static func peakResidentKB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }
}

/// SHA-256 of a file's bytes, as the pipeline names items.
func fileSHA256(_ path: String) throws -> String {
    SHA256Digest.hex(try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Every file under `root`, relative, with its mode (lstat, so symlinks show as links).
func treeModes(_ root: String) -> [(path: String, mode: mode_t, isDirectory: Bool)] {
    var out: [(String, mode_t, Bool)] = []
    var info = stat()
    if lstat(root, &info) == 0 { out.append((".", info.st_mode & 0o7777, true)) }
    let e = FileManager.default.enumerator(atPath: root)
    while let p = e?.nextObject() as? String {
        guard lstat(root + "/" + p, &info) == 0 else { continue }
        out.append((p, info.st_mode & 0o7777, info.st_mode & S_IFMT == S_IFDIR))
    }
    return out
}
