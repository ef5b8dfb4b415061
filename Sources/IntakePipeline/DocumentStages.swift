import FaxImaging
import FormExtraction
import Foundation
import IntakeQueue

/// What validation derives from an extraction: the stored readings and the keys routing and due dates need.
public struct ValidatedForm: Sendable, Equatable {
    public var formPage: Int?
    public var formID: String?
    public var fields: [String: StoredField]
    public var checkboxes: [String: StoredCheckboxGroup]
    public var requestTypes: [String]
    public var priority: Priority
    public var serviceDate: Date?
    public var duplicateKey: String?
    public var flags: [ItemFlag]
}

/// Flags the pipeline adds beside the store's own.
extension ItemFlag {
    /// No page of the document matched the form: a person must read it.
    public static let noForm = ItemFlag(rawValue: "no_form")
    /// At least one field or checkbox group was read with low confidence or failed validation.
    public static let needsReview = ItemFlag(rawValue: "needs_review")
    /// A mail-room scan whose request type could not be read as exactly one route.
    public static let requestTypeUnreadable = ItemFlag(rawValue: "request_type_unreadable")
    /// The fax server's sidecar was present but not readable; line and time came from elsewhere.
    public static let sidecarUnreadable = ItemFlag(rawValue: "sidecar_unreadable")
}

/// The per-document stages as plain functions, shared by the staged run and by reprocessing.
public struct DocumentStages: Sendable {
    public let configuration: PipelineConfiguration
    public let router: Router
    private let decoder: DocumentDecoder

    public init(configuration: PipelineConfiguration) {
        self.configuration = configuration
        router = Router(configuration: configuration)
        decoder = DocumentDecoder(limits: configuration.limits)
    }

    public func decode(path: String) throws(StageFailure) -> DecodedDocument {
        do { return try decoder.decode(path: path) } catch { throw .decoding(error) }
    }

    public func extract(_ document: DecodedDocument, with extractor: FormExtractor) throws(StageFailure) -> ExtractionResult {
        do { return try extractor.extract(document) } catch { throw .extracting(error) }
    }

    public func validate(_ result: ExtractionResult) throws(StageFailure) -> ValidatedForm {
        var fields: [String: StoredField] = [:]
        for (name, r) in result.fields {
            guard r.confidence.isFinite else {
                throw StageFailure(stage: .validate, reason: "field \(name) came back with a non-finite confidence; the extractor is misbehaving", permanent: true)
            }
            fields[name] = StoredField(value: r.value, normalized: r.normalized, confidence: r.confidence,
                                       valid: r.valid, needsReview: r.needsReview, issues: r.issues)
        }
        var boxes: [String: StoredCheckboxGroup] = [:]
        for (name, r) in result.checkboxes {
            guard r.confidence.isFinite else {
                throw StageFailure(stage: .validate, reason: "checkbox group \(name) came back with a non-finite confidence", permanent: true)
            }
            boxes[name] = StoredCheckboxGroup(selected: r.selected, confidence: r.confidence, needsReview: r.needsReview)
        }
        var flags: [ItemFlag] = []
        if result.form == nil { flags.append(.noForm) }
        if fields.values.contains(where: \.needsReview) || boxes.values.contains(where: \.needsReview) {
            flags.append(.needsReview)
        }
        let priority: Priority = (boxes["priority"]?.selected.contains("urgent") ?? false) ? .urgent : .standard
        return ValidatedForm(
            formPage: result.form?.page, formID: result.form?.id, fields: fields, checkboxes: boxes,
            requestTypes: boxes["request_type"]?.selected ?? [], priority: priority,
            serviceDate: Self.day(fields["service_start_date"]?.normalized ?? ""),
            duplicateKey: Self.duplicateKey(fields), flags: flags)
    }

    /// Routes and dates the item; `line` is nil for mail-room scans.
    public func route(_ form: ValidatedForm, channel: Channel, line: LineResolution?, receivedAt: Date) -> ItemContent {
        let decision = router.route(channel: channel, line: line, requestTypes: form.requestTypes)
        var flags = form.flags + decision.flags
        if channel == .mail, decision.route == configuration.unroutedQueue { flags.append(.requestTypeUnreadable) }
        let hours = form.priority == .urgent ? configuration.dueBy.urgentHours : configuration.dueBy.standardHours
        return ItemContent(
            route: decision.route, priority: form.priority, dueBy: receivedAt + hours * 3600,
            formPage: form.formPage, formID: form.formID, fields: form.fields, checkboxes: form.checkboxes,
            flags: flags, duplicateOf: nil, duplicateKey: form.duplicateKey, serviceDate: form.serviceDate)
    }

    /// The content a failed document is stored with: no readings, on its line's queue when known.
    public func failedContent(channel: Channel, line: LineResolution?, receivedAt: Date) -> ItemContent {
        let decision = router.route(channel: channel, line: line, requestTypes: [])
        return ItemContent(route: decision.route, priority: .standard,
                           dueBy: receivedAt + configuration.dueBy.standardHours * 3600, flags: decision.flags)
    }

    /// SHA-256 of member id and sorted procedure codes: re-sends match, yet the key reveals neither.
    static func duplicateKey(_ fields: [String: StoredField]) -> String? {
        guard let member = fields["member_id"]?.normalized, !member.isEmpty else { return nil }
        let codes = fields.filter { $0.key.hasPrefix("procedure_code_") }
            .map(\.value.normalized).filter { !$0.isEmpty }.sorted()
        return SHA256Digest.hex(member + "|" + codes.joined(separator: ","))
    }

    /// A normalized `yyyy-MM-dd` as midnight UTC, so equal days compare equal in the store.
    static func day(_ normalized: String) -> Date? {
        let parts = normalized.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var c = DateComponents()
        c.year = parts[0]; c.month = parts[1]; c.day = parts[2]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: c)
    }
}
