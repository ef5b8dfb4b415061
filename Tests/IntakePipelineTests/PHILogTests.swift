import Foundation
import IntakePipeline
import IntakeQueue
import Testing

@Suite("PHI: logs and reports") struct PHILogTests {
    /// The PHI of a corpus document from its truth: member name, id and date of birth, and every other
    /// field value longer than 4 characters, each also in the normalised forms the store keeps.
    static func phi(_ number: String) throws -> Set<String> {
        let data = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("\(number).truth.json")))
        let truth = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let fields = try #require(truth["fields"] as? [String: String])
        var values: Set<String> = []
        for (name, value) in fields where !value.isEmpty {
            guard ["member_name", "member_id", "member_dob"].contains(name) || value.count > 4 else { continue }
            values.insert(value)
            // MM/DD/YYYY is stored as YYYY-MM-DD; phone numbers and ids as digits.
            let parts = value.split(separator: "/")
            if parts.count == 3 { values.insert("\(parts[2])-\(parts[0])-\(parts[1])") }
            let bare = value.filter { !"-.() ".contains($0) }
            if bare.count >= 9, bare.allSatisfy(\.isNumber) { values.insert(bare) }
        }
        // The member's last name alone is as telling as the whole.
        if let name = fields["member_name"], let last = name.split(separator: ",").first, last.count > 3 {
            values.insert(String(last))
        }
        return values
    }

    static func leaks(in text: String, of values: Set<String>) -> [String] {
        values.filter { text.contains($0) }.sorted()
    }

    @Test("info-level logs of a real run, and the report in every format, carry none of the members' data")
    func noPHIInLogsOrReports() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        guard let daemon = try DaemonProcess(fixture: fixture, retryAttempts: 2) else { return }
        let faxes = ["0003", "0012"], forms = ["0016", "0019", "0021"]
        var values: Set<String> = []
        for n in faxes {
            try fixture.drop("\(n).tif", copyCorpusSidecar: true)
            values.formUnion(try Self.phi(n))
        }
        for n in forms {
            try fixture.drop("\(n).pdf", into: "mail")
            values.formUnion(try Self.phi(n))
        }
        // The same fax re-sent (other bytes): the duplicate path logs too.
        var resent = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0003.tif")))
        resent.append(0)
        try resent.write(to: URL(fileURLWithPath: fixture.spool + "/fax/resent.tif"))
        #expect(values.count > 40, "too few truth values to prove anything")

        let run = try daemon.runOnce()
        #expect(run.status == 0)
        let info = run.stderr.split(separator: "\n").filter { $0.contains(" info ") }
        #expect(info.count >= 7, "the run logged too little at info level to be a test: \(run.stderr)")
        #expect(Self.leaks(in: info.joined(separator: "\n"), of: values).isEmpty)
        // Warnings are not promised PHI-free, but none is expected here; say so if one appears.
        #expect(Self.leaks(in: run.stderr, of: values).isEmpty, "PHI at warning/error level")

        // The items really hold the values (so absence from the outputs below means something).
        let store = try SQLiteQueueStore(path: daemon.database)
        let stored = try store.all().flatMap { $0.fields.values.map(\.value) }.joined(separator: "\n")
        #expect(!Self.leaks(in: stored, of: values).isEmpty)

        var outputs = 0
        for format in ["text", "json", "csv", "html"] {
            let report = try daemon.run(["report", "--all", "--format", format])
            #expect(report.status == 0)
            #expect(report.stdout.count > 50, "\(format) report is empty")
            #expect(Self.leaks(in: report.stdout + report.stderr, of: values).isEmpty, "\(format) report")
            outputs += 1
        }
        let status = try daemon.run(["status", "--json"])
        #expect(Self.leaks(in: status.stdout, of: values).isEmpty, "status")
        #expect(outputs == 4)
    }
}
