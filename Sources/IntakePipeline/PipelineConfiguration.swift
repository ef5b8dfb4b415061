import FaxImaging
import FormExtraction
import Foundation
import Yams

/// A fax line: the number dialled and the queue its faxes go to.
public struct FaxLine: Sendable, Equatable {
    public var name: String
    /// As printed, e.g. 1-555-010-4001; compared as digits only.
    public var number: String
    public var route: String
    /// Request types (checkbox values) that belong on this line; others raise `route_conflict`.
    public var requestTypes: [String]

    public var digits: String { FaxLine.digits(of: number) }

    /// Digits only, dropping a leading US country code, so 1-555-010-4001 equals 5550104001.
    public static func digits(of number: String) -> String {
        var d = number.filter(\.isNumber)
        if d.count == 11, d.hasPrefix("1") { d.removeFirst() }
        return d
    }
}

/// What to do when the form's request type disagrees with the line it arrived on.
public enum ConflictPolicy: String, Sendable {
    /// Route by the line, flag `route_conflict`.
    case line
    /// Route by the form's request type, flag `route_conflict`.
    case requestType = "request_type"
}

/// A pipeline file: folders, form, lines, workers, limits, retries and due-by rules. Configuration is data.
public struct PipelineConfiguration: Sendable {
    public var name: String
    public var file: String
    public var spool: String
    public var state: String
    public var archive: String
    public var formDirectory: String
    public var formName: String
    public var lines: [FaxLine]
    public var conflictPolicy: ConflictPolicy
    /// Request type (checkbox value) → route, for mail-room scans and conflict checks.
    public var requestTypeRoutes: [String: String]
    public var unroutedQueue: String
    /// A regex with a named group `line` (a line name or a number), matched against spool file names.
    public var filenamePattern: String?
    public var workers: Workers
    public var limits: DecodeLimits
    /// Most documents between spool and commit at once: the back-pressure bound.
    public var maxInFlight: Int
    public var retry: RetryPolicy
    public var dueBy: DueByRules
    public var duplicateWindowDays: Double
    public var settleSeconds: Double
    public var rescanSeconds: Double
    public var extraction: ExtractionPolicy
    /// The word lists that repair misread words in names and free text (`extraction.word_list`: one path
    /// or a list of them); none, no repair.
    public var wordLists: [String] = []
    /// The tessdata folder of a second English model that re-reads the fields the first is unsure of
    /// (`extraction.second_opinion_tessdata`), if any.
    public var secondOpinionTessdata: String? = nil
    /// The fitted confidence calibration (`extraction.calibration`), if any: without one, confidences are
    /// the engine's and every field is reviewed against `review_below_confidence`.
    public var calibration: String? = nil
    /// Width in pixels of the thumbnail kept of each page that is not a form (`limits.thumbnail_width`).
    public var thumbnailWidth: Int = 160
    /// How far down a fax's first page the sender's header line is looked for, in points (`extraction.header_band_pt`).
    public var headerBandPoints: Double = 24
    /// The plan's own data that requests are checked against (`reference:`); every file is optional.
    public var reference = ReferenceFiles()
    /// `console:`: the operator console's session and login rules.
    public var console = ConsoleSettings()

    /// The operator console's rules, as data: HIPAA's automatic logoff and a lockout after failed logins.
    public struct ConsoleSettings: Sendable, Equatable {
        /// A session ends after this long without a request.
        public var idleSeconds: Double = 15 * 60
        /// Failed logins in a row that lock an account.
        public var lockoutFailures: Int = 5
        /// How long a lockout lasts.
        public var lockoutSeconds: Double = 15 * 60
        /// Items per page of a queue listing.
        public var pageSize: Int = 50

        public init() {}
    }

    /// The plan's member roster, provider directory and ICD-10-CM code set, and their column names.
    public struct ReferenceFiles: Sendable, Equatable {
        /// The eligibility export (CSV), `reference.members`.
        public var members: String?
        /// Column names of the roster by meaning, where the export's headers differ (`reference.member_columns`).
        public var memberColumns: [String: String] = [:]
        /// The provider directory (CSV), `reference.providers`.
        public var providers: String?
        public var providerColumns: [String: String] = [:]
        /// The folder holding the official ICD-10-CM code list and tabular XML, `reference.icd10cm`.
        public var icd10cm: String?
        /// How often a changed roster or directory is looked for and reloaded, in seconds.
        public var reloadSeconds: Double = 60
        /// The confidence a field takes when the plan's data confirms it (an id, name and birth date that
        /// all agree with one member; an NPI in the directory), `reference.confirmed_confidence`.
        public var confirmedConfidence: Double = 0.999
        /// A billable ICD-10-CM code read at least this sure is confirmed by the code set, as a lookup confirms
        /// an NPI (`reference.code_set_confirms_above`): a misread seldom lands on another billable code.
        public var codeSetConfirmsAbove: Double = 0.95

        public init() {}
    }

    /// Bounded concurrency for each stage.
    public struct Workers: Sendable, Equatable {
        public var decode: Int
        public var extract: Int
        public var commit: Int
    }

    /// How transient failures are retried.
    public struct RetryPolicy: Sendable, Equatable {
        public var attempts: Int
        public var backoffSeconds: Double
    }

    /// Due-by times from `received_at`.
    public struct DueByRules: Sendable, Equatable {
        public var urgentHours: Double
        public var standardHours: Double
    }

    public func line(forNumber number: String) -> FaxLine? {
        let d = FaxLine.digits(of: number)
        return d.isEmpty ? nil : lines.first { $0.digits == d }
    }

    public func line(named name: String) -> FaxLine? { lines.first { $0.name == name } }

    public var routes: [String] { Array(Set(lines.map(\.route) + Array(requestTypeRoutes.values))).sorted() + [unroutedQueue] }

    /// Loads and checks a pipeline file; an error names the key and the line.
    public static func load(path: String) throws(PipelineError) -> PipelineConfiguration {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .configuration(file: path, line: nil, key: nil, reason: "cannot read the pipeline file (\(error.localizedDescription))")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(PipelineError) -> PipelineConfiguration {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PipelineError.configuration(file: file, line: nil, key: nil, reason: "the file is empty")
            }
            root = node
        } catch let error as PipelineError {
            throw error
        } catch let error as YamlError {
            throw .configuration(file: file, line: yamlLine(error), key: nil, reason: "not valid YAML: \(error)")
        } catch {
            throw .configuration(file: file, line: nil, key: nil, reason: "not valid YAML: \(error)")
        }
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        let doc = YAMLReader(node: root, path: "", file: file)
        try doc.expectMapping()
        try doc.rejectUnknown(["name", "spool", "state", "archive", "form", "lines", "routing", "workers", "limits",
                               "retry", "due_by", "duplicates", "readiness", "extraction", "reference", "console"])
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") ? p : base.appendingPathComponent(p).standardizedFileURL.path
        }
        let form = try doc.required("form")
        try form.rejectUnknown(["template"])
        let templatePath = resolve(try form.required("template").string())
        var lines: [FaxLine] = []
        let linesNode = try doc.required("lines")
        for entry in try linesNode.sequence() {
            try entry.rejectUnknown(["name", "number", "route", "request_types"])
            let name = try entry.required("name").string()
            let number = try entry.required("number").string()
            guard FaxLine.digits(of: number).count >= 4 else {
                throw entry.child("number").fail("'\(number)' is not a fax number")
            }
            let route = try entry.optional("route")?.string() ?? name
            var types: [String] = []
            for item in try entry.optional("request_types")?.sequence() ?? [] { types.append(try item.string()) }
            lines.append(FaxLine(name: name, number: number, route: route, requestTypes: types))
        }
        guard !lines.isEmpty else { throw linesNode.fail("at least one fax line is needed") }
        let digits = lines.map(\.digits)
        if Set(digits).count != digits.count { throw linesNode.fail("two lines share a number") }

        let routing = doc.child("routing")
        try routing.rejectUnknown(["conflict_policy", "request_type_routes", "unrouted_queue", "filename_pattern"])
        let policyText = try routing.optional("conflict_policy")?.string() ?? "line"
        guard let policy = ConflictPolicy(rawValue: policyText) else {
            throw routing.child("conflict_policy").fail("must be 'line' or 'request_type', not '\(policyText)'")
        }
        var typeRoutes: [String: String] = [:]
        for line in lines { for t in line.requestTypes { typeRoutes[t] = line.route } }
        if let map = routing.optional("request_type_routes") {
            for (key, value) in try map.mapping() { typeRoutes[key] = try value.string() }

        }
        let pattern = try routing.optional("filename_pattern")?.string()
        if let pattern {
            do {
                let regex = try NSRegularExpression(pattern: pattern)
                _ = regex
                guard pattern.contains("?<line>") else {
                    throw routing.child("filename_pattern").fail("needs a named group (?<line>…)")
                }
            } catch let error as PipelineError { throw error } catch {
                throw routing.child("filename_pattern").fail("not a valid regular expression")
            }
        }

        let workers = doc.child("workers")
        try workers.rejectUnknown(["decode", "extract", "commit"])
        let limits = doc.child("limits")
        try limits.rejectUnknown(["max_pixels_per_page", "max_pages_per_file", "max_in_flight", "pdf_render_dpi", "thumbnail_width"])
        let retry = doc.child("retry")
        try retry.rejectUnknown(["attempts", "backoff_seconds"])
        let due = doc.child("due_by")
        try due.rejectUnknown(["urgent_hours", "standard_days"])
        let dup = doc.child("duplicates")
        try dup.rejectUnknown(["window_days"])
        let ready = doc.child("readiness")
        try ready.rejectUnknown(["settle_seconds", "rescan_seconds"])
        let ex = doc.child("extraction")
        try ex.rejectUnknown(["review_below_confidence", "checkbox_marked_above", "checkbox_empty_below", "ocr_dpi", "header_band_pt", "word_list", "second_opinion_tessdata",
                             "calibration", "target_accuracy"])
        let defaults = ExtractionPolicy()
        let wordLists: [String]
        if let node = ex.optional("word_list") {
            wordLists = node.node?.sequence != nil ? try node.sequence().map { item throws(PipelineError) in try item.string() } : [try node.string()]
        } else {
            wordLists = []
        }
        let secondOpinion = try ex.optional("second_opinion_tessdata")?.string()
        let calibration = try ex.optional("calibration")?.string()
        let decodeDefaults = DecodeLimits.default
        let consoleNode = doc.child("console")
        try consoleNode.rejectUnknown(["idle_minutes", "lockout_failures", "lockout_minutes", "page_size"])
        var console = ConsoleSettings()
        console.idleSeconds = try consoleNode.double("idle_minutes", default: 15, in: 1...24 * 60) * 60
        console.lockoutFailures = try consoleNode.int("lockout_failures", default: 5, in: 1...100)
        console.lockoutSeconds = try consoleNode.double("lockout_minutes", default: 15, in: 0.1...24 * 60) * 60
        console.pageSize = try consoleNode.int("page_size", default: 50, in: 5...1000)

        var configuration = PipelineConfiguration(
            name: try doc.optional("name")?.string() ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent,
            file: file,
            spool: resolve(try doc.required("spool").string()),
            state: resolve(try doc.required("state").string()),
            archive: resolve(try doc.required("archive").string()),
            formDirectory: URL(fileURLWithPath: templatePath).deletingLastPathComponent().path,
            formName: URL(fileURLWithPath: templatePath).lastPathComponent,
            lines: lines,
            conflictPolicy: policy,
            requestTypeRoutes: typeRoutes,
            unroutedQueue: try routing.optional("unrouted_queue")?.string() ?? "unrouted",
            filenamePattern: pattern,
            workers: Workers(decode: try workers.int("decode", default: 1, in: 1...64),
                             extract: try workers.int("extract", default: 2, in: 1...64),
                             commit: try workers.int("commit", default: 1, in: 1...1)),
            limits: DecodeLimits(maxPixelsPerPage: try limits.int("max_pixels_per_page", default: decodeDefaults.maxPixelsPerPage, in: 10_000...400_000_000),
                                 maxPagesPerFile: try limits.int("max_pages_per_file", default: decodeDefaults.maxPagesPerFile, in: 1...100_000),
                                 pdfRenderDPI: try limits.double("pdf_render_dpi", default: decodeDefaults.pdfRenderDPI, in: 72...600)),
            maxInFlight: try limits.int("max_in_flight", default: 4, in: 1...10_000),
            retry: RetryPolicy(attempts: try retry.int("attempts", default: 3, in: 1...100),
                               backoffSeconds: try retry.double("backoff_seconds", default: 2, in: 0...3600)),
            dueBy: DueByRules(urgentHours: try due.double("urgent_hours", default: 72, in: 1...10_000),
                              standardHours: try due.double("standard_days", default: 7, in: 0.1...365) * 24),
            duplicateWindowDays: try dup.double("window_days", default: 14, in: 0...3650),
            settleSeconds: try ready.double("settle_seconds", default: 2, in: 0...3600),
            rescanSeconds: try ready.double("rescan_seconds", default: 30, in: 0.1...86_400),
            extraction: ExtractionPolicy(
                reviewBelowConfidence: try ex.double("review_below_confidence", default: defaults.reviewBelowConfidence, in: 0...1),
                checkboxMarkedAbove: try ex.double("checkbox_marked_above", default: defaults.checkboxMarkedAbove, in: 0...1),
                checkboxEmptyBelow: try ex.double("checkbox_empty_below", default: defaults.checkboxEmptyBelow, in: 0...1),
                ocrDPI: try ex.double("ocr_dpi", default: defaults.ocrDPI, in: 100...600),
                targetAccuracy: try ex.double("target_accuracy", default: defaults.targetAccuracy, in: 0.5...1)),
            wordLists: wordLists.map(resolve),
            secondOpinionTessdata: secondOpinion.map(resolve),
            calibration: calibration.map(resolve),
            thumbnailWidth: try limits.int("thumbnail_width", default: 160, in: 16...2000),
            headerBandPoints: try ex.double("header_band_pt", default: 24, in: 0...144),
            reference: try referenceFiles(doc, resolve: resolve)
        )
        configuration.console = console
        return configuration
    }

    /// `reference:`: paths resolve against the pipeline file's folder; column maps name the export's headers.
    static func referenceFiles(_ doc: YAMLReader, resolve: (String) -> String) throws(PipelineError) -> ReferenceFiles {
        let ref = doc.child("reference")
        try ref.rejectUnknown(["members", "member_columns", "providers", "provider_columns", "icd10cm", "reload_seconds",
                               "confirmed_confidence", "code_set_confirms_above"])
        var files = ReferenceFiles()
        if let path = ref.optional("members") { files.members = resolve(try path.string()) }
        if let path = ref.optional("providers") { files.providers = resolve(try path.string()) }
        if let path = ref.optional("icd10cm") { files.icd10cm = resolve(try path.string()) }
        files.reloadSeconds = try ref.double("reload_seconds", default: 60, in: 1...86_400)
        files.confirmedConfidence = try ref.double("confirmed_confidence", default: 0.999, in: 0...1)
        files.codeSetConfirmsAbove = try ref.double("code_set_confirms_above", default: 0.95, in: 0...1)
        for (key, target) in [("member_columns", \ReferenceFiles.memberColumns), ("provider_columns", \ReferenceFiles.providerColumns)] {
            guard let map = ref.optional(key) else { continue }
            var columns: [String: String] = [:]
            for (name, value) in try map.mapping() { columns[name] = try value.string() }
            files[keyPath: target] = columns
        }
        return files
    }

    private static func yamlLine(_ error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }
}

/// Walks a YAML node keeping the key path and line, so every error names both.
struct YAMLReader {
    let node: Node?
    let path: String
    let file: String
    /// Line of the nearest node that exists, for errors about missing keys.
    var line: Int? { node?.mark?.line }
    var parentLine: Int?

    init(node: Node?, path: String, file: String, parentLine: Int? = nil) {
        self.node = node
        self.path = path
        self.file = file
        self.parentLine = parentLine
    }

    func fail(_ reason: String) -> PipelineError {
        .configuration(file: file, line: line ?? parentLine, key: path.isEmpty ? nil : path, reason: reason)
    }

    func expectMapping() throws(PipelineError) {
        guard node?.mapping != nil else { throw fail("expected a mapping of keys to values") }
    }

    func child(_ key: String) -> YAMLReader {
        let value = node?.mapping?[Node(key)]
        return YAMLReader(node: value, path: path.isEmpty ? key : "\(path).\(key)", file: file, parentLine: line ?? parentLine)
    }

    func required(_ key: String) throws(PipelineError) -> YAMLReader {
        let c = child(key)
        guard c.node != nil, c.node?.null == nil else { throw c.fail("is required") }
        return c
    }

    func optional(_ key: String) -> YAMLReader? {
        let c = child(key)
        return c.node == nil || c.node?.null != nil ? nil : c
    }

    func rejectUnknown(_ allowed: Set<String>) throws(PipelineError) {
        guard let mapping = node?.mapping else {
            if node != nil, node?.null == nil { throw fail("expected a mapping of keys to values") }
            return
        }
        for (key, _) in mapping {
            let name = key.string ?? "?"
            if !allowed.contains(name) {
                let at = YAMLReader(node: key, path: path.isEmpty ? name : "\(path).\(name)", file: file, parentLine: line)
                throw at.fail("unknown key; expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
        }
    }

    func string() throws(PipelineError) -> String {
        guard let s = node?.scalar?.string else { throw fail("expected a text value") }
        return s
    }

    func sequence() throws(PipelineError) -> [YAMLReader] {
        guard let seq = node?.sequence else { throw fail("expected a list") }
        return seq.enumerated().map { YAMLReader(node: $1, path: "\(path)[\($0)]", file: file, parentLine: line) }
    }

    func mapping() throws(PipelineError) -> [(String, YAMLReader)] {
        guard let map = node?.mapping else { throw fail("expected a mapping of keys to values") }
        return map.map { k, v in
            let name = k.string ?? "?"
            return (name, YAMLReader(node: v, path: "\(path).\(name)", file: file, parentLine: line))
        }
    }

    func int(_ key: String, default value: Int, in range: ClosedRange<Int>) throws(PipelineError) -> Int {
        guard let c = optional(key) else { return value }
        guard let n = c.node?.int else { throw c.fail("expected a whole number") }
        guard range.contains(n) else { throw c.fail("\(n) is outside \(range.lowerBound)…\(range.upperBound)") }
        return n
    }

    func double(_ key: String, default value: Double, in range: ClosedRange<Double>) throws(PipelineError) -> Double {
        guard let c = optional(key) else { return value }
        guard let n = c.node?.float ?? c.node?.int.map(Double.init) else { throw c.fail("expected a number") }
        guard range.contains(n) else { throw c.fail("\(n) is outside \(range.lowerBound)…\(range.upperBound)") }
        return n
    }
}
