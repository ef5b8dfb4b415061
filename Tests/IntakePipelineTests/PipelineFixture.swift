import Foundation
import IntakePipeline
import IntakeQueue
import Synchronization

/// Paths to the shared corpus and the package, found from this file so tests run from anywhere.
enum Paths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static func corpus(_ name: String) -> String { shared.appendingPathComponent("corpus-dev/\(name)").path }
    static let formTemplate = packageRoot.appendingPathComponent("Pipelines/forms/medical-prior-authorization-request-form").path

    /// The route the corpus truth expects for a document.
    static func expectedRoute(_ number: String) throws -> String? {
        let data = try Data(contentsOf: URL(fileURLWithPath: corpus("\(number).truth.json")))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return object?["expected_route"] as? String ?? object?["request_type_route"] as? String
    }
}

/// A throwaway spool/state/archive tree with a pipeline file pointing into it.
struct PipelineFixture {
    let root: String
    let configuration: PipelineConfiguration

    init(settleSeconds: Double = 0, retryAttempts: Int = 2, extraYAML: String = "") throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("intake-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/spool/fax", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/spool/mail", withIntermediateDirectories: true)
        let yaml = """
            name: test
            spool: \(root)/spool
            state: \(root)/state
            archive: \(root)/archive
            form:
              template: \(Paths.formTemplate)
            lines:
              - name: elective
                number: 1-555-010-4001
                request_types: [outpatient_elective, inpatient_elective]
              - name: emergency_inpatient
                number: 1-555-010-4002
                request_types: [emergency_inpatient]
              - name: snf
                number: 1-555-010-4003
                request_types: [snf]
            workers: {decode: 1, extract: 2, commit: 1}
            limits: {max_in_flight: 4}
            retry: {attempts: \(retryAttempts), backoff_seconds: 0}
            readiness: {settle_seconds: \(settleSeconds), rescan_seconds: 5}
            \(extraYAML)
            """
        configuration = try PipelineConfiguration.parse(yaml, file: root + "/test.yml")
    }

    var spool: String { root + "/spool" }

    /// Copies a corpus file into the spool, optionally with a sidecar written from `sidecar`.
    @discardableResult
    func drop(_ corpusName: String, into folder: String = "fax", as name: String? = nil, sidecar: [String: Any]? = nil,
              copyCorpusSidecar: Bool = false) throws -> String {
        let target = "\(spool)/\(folder)/\(name ?? corpusName)"
        try FileManager.default.createDirectory(atPath: "\(spool)/\(folder)", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Paths.corpus(corpusName), toPath: target)
        let sidecarPath = URL(fileURLWithPath: target).deletingPathExtension().path + ".json"
        if copyCorpusSidecar {
            try FileManager.default.copyItem(atPath: URL(fileURLWithPath: Paths.corpus(corpusName)).deletingPathExtension().path + ".json", toPath: sidecarPath)
        } else if let sidecar {
            try JSONSerialization.data(withJSONObject: sidecar).write(to: URL(fileURLWithPath: sidecarPath))
        }
        return target
    }

    /// The pipeline's form, word list and models, loaded once per process (as `run` loads them at start).
    func resources() throws -> PipelineResources {
        try SharedResources.load(configuration)
    }

    func makePipeline(store: any QueueStore, faults: StageFaultInjector? = nil) throws -> StagedPipeline {
        StagedPipeline(configuration: configuration, resources: try resources(), store: store, faults: faults)
    }

    /// Runs one `--once` pass in process.
    @discardableResult
    func runOnce(store: any QueueStore, faults: StageFaultInjector? = nil) throws -> RunCounts {
        let pipeline = try makePipeline(store: store, faults: faults)
        let readiness = Readiness(settleSeconds: configuration.settleSeconds, clock: SystemClock())
        _ = SpoolIntake(pipeline: pipeline, readiness: readiness).runOnce(maxWait: 10)
        return pipeline.counts
    }

    /// Every regular file left in the spool, companions included.
    func spoolFiles() -> [String] {
        let e = FileManager.default.enumerator(atPath: spool)
        var out: [String] = []
        while let p = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: spool + "/" + p, isDirectory: &isDir), !isDir.boolValue { out.append(p) }
        }
        return out
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// Loading a form renders its blank PDF and a second model costs its memory: tests share one set per
/// form and model path.
enum SharedResources {
    private static let cache = Mutex<[String: PipelineResources]>([:])

    static func load(_ configuration: PipelineConfiguration) throws -> PipelineResources {
        let key = [configuration.formDirectory, configuration.formName, configuration.wordLists.joined(separator: ","),
                   configuration.secondOpinionTessdata ?? "-", "\(configuration.reference)"].joined(separator: "|")
        return try cache.withLock { cache in
            if let cached = cache[key] { return cached }
            let loaded = try PipelineResources.load(configuration)
            cache[key] = loaded
            return loaded
        }
    }
}
