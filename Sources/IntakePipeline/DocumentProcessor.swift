import Dispatch
import FaxImaging
import FormExtraction
import Foundation
import IntakeQueue
import ReferenceData

// One document flows one way through four typed stages:
//   IntakeRecord (bytes, hash, sidecar, line, time) → DocumentPages (form pages held, thumbnails)
//   → DocumentRequests (one per form page) → committed items.
// `DocumentProcessor` is each stage as a plain function; `StagedPipeline` schedules them on worker pools
// for `run`, and `reprocess`, `extract` and the benchmark call the same functions in line.

/// The fax server's sidecar as received beside a fax: absent, read, or present but unreadable.
public enum SidecarRecord: Sendable, Equatable {
    case absent
    case read(FaxSidecar, bytes: Data)
    /// Kept (and archived) as received, so a person can see what the fax server wrote; no bytes when
    /// the file itself could not be read.
    case unreadable(bytes: Data?, reason: String)

    /// The parsed sidecar, when there is one.
    public var sidecar: FaxSidecar? {
        if case .read(let sidecar, _) = self { return sidecar }
        return nil
    }

    /// The bytes to archive beside the original.
    public var bytes: Data? {
        switch self {
        case .absent: return nil
        case .read(_, let bytes): return bytes
        case .unreadable(let bytes, _): return bytes
        }
    }
}

/// Stage 1: a document as taken in. The bytes are read once; every later stage decodes these bytes,
/// and these bytes are what is archived.
public struct IntakeRecord: Sendable {
    /// The name it arrived under (no folder): for people and reports.
    public let fileName: String
    public let channel: Channel
    public let bytes: Data
    public let sha256: String
    public let sidecar: SidecarRecord
    /// The line as far as intake can tell (sidecar, folder, file name); decoding may add the TIFF's CallIDs.
    public let line: LineResolution
    public let receivedAt: Date
    /// Flags intake already knows, such as an unreadable sidecar.
    public let flags: [ItemFlag]
}

extension IntakeRecord {
    /// A document given directly rather than spooled (`extract`, the benchmark, tests): no sidecar and no
    /// line, received now.
    public init(fileName: String, channel: Channel, bytes: Data, receivedAt: Date = Date()) {
        self.init(fileName: fileName, channel: channel, bytes: bytes, sha256: SHA256Digest.hex(bytes), sidecar: .absent,
                  line: .none, receivedAt: receivedAt, flags: [])
    }
}

/// A page recognised as the form while decoding: held (packed where bilevel) until its fields are read.
public struct HeldFormPage: Sendable {
    /// 0-based place in the file.
    public let index: Int
    public let page: HeldPage
    public let match: FormMatch
}

/// A small picture of a page that is not a form (cover sheets, clinical notes), for the operator's screen.
public struct PageThumbnail: Sendable {
    /// 0-based place in the file.
    public let index: Int
    public let image: GrayImage
    public let isBlank: Bool
}

/// Stage 2: the document decoded page by page. Only what later stages need is kept: the form pages at
/// full resolution and thumbnails of the others.
public struct DocumentPages: Sendable {
    public let record: IntakeRecord
    public let pageCount: Int
    public let fax: FaxMetadata
    /// The final line: intake's, or else the TIFF's CallID lines.
    public let line: LineResolution
    public let stationID: String?
    public let formPages: [HeldFormPage]
    public let thumbnails: [PageThumbnail]
    /// A fillable PDF's values, read exactly; empty otherwise.
    public let formValues: [String: FormFieldValue]
    /// The band at the top of a fax's first page where the sender's header line (TTI) is printed, when
    /// it holds a line of print with clear paper below it; nil for mail and for pages without one.
    public let headerBand: HeaderBand?
    /// Time spent finding the form pages, for the stage profile.
    public let classifySeconds: Double
}

/// The top of a fax's first page, cut out for reading the sender's header line.
public struct HeaderBand: Sendable {
    public let image: GrayImage
    public let dpi: Double

    /// The band of `page` from its top edge down `points`, when print there ends above clear paper
    /// (so it is a line of its own, not the top of a form that slid up).
    static func find(on page: Page, points: Double) -> HeaderBand? {
        let height = min(page.image.height, Int((points * page.yDPI / 72).rounded()))
        let width = page.image.width
        guard height > 8, width > 0 else { return nil }
        var inkRows: [Bool] = []
        page.image.pixels.withUnsafeBufferPointer { px in
            for y in 0..<height {
                var dark = 0
                for x in 0..<width where px[y * width + x] < 128 { dark += 1 }
                inkRows.append(dark >= 3)
            }
        }
        guard let last = inkRows.lastIndex(of: true), inkRows.filter({ $0 }).count >= 4 else { return nil }
        // A header line is followed by paper: at least a sixth of the band clear below the print.
        guard height - 1 - last >= max(3, height / 6) else { return nil }
        let rows = min(height, last + 4)
        return HeaderBand(image: GrayImage(width: width, height: rows, pixels: Array(page.image.pixels[0..<(rows * width)])),
                          dpi: page.yDPI)
    }
}

/// One request of a document: a form page with the pages that belong to it, read, validated and routed.
public struct RequestDraft: Sendable {
    /// 1-based page of the form in the original file; nil when the document has no form page.
    public let formPage: Int?
    public let pageRange: PageRange
    public let extraction: ExtractionResult
    public var content: ItemContent
}

/// Stage 3: every request of a document, ready to commit; the pages themselves are released.
public struct DocumentRequests: Sendable {
    public let record: IntakeRecord
    public let pageCount: Int
    public let line: LineResolution
    public let stationID: String?
    /// In page order; never empty (a document without a form is one request with no form page).
    public var requests: [RequestDraft]
}

/// What intake found for a spooled file.
public enum IntakeOutcome: Sendable {
    case taken(IntakeRecord)
    /// The same bytes are already in the queue (a crash between commit and unlink, or dropped twice).
    case alreadyCommitted(sha256: String, items: [ItemID])
}

/// The four stages of one document as plain functions over typed values; shared by every command.
public struct DocumentProcessor: Sendable {
    public let configuration: PipelineConfiguration
    public let resources: PipelineResources
    public let router: Router
    public let store: any QueueStore
    public let archive: OriginalArchive
    private let decoder: DocumentDecoder
    private let clock: any Clock

    public init(configuration: PipelineConfiguration, resources: PipelineResources, store: any QueueStore,
                clock: any Clock = SystemClock()) {
        self.configuration = configuration
        self.resources = resources
        self.store = store
        self.clock = clock
        router = Router(configuration: configuration)
        archive = OriginalArchive(root: configuration.archive)
        decoder = DocumentDecoder(limits: configuration.limits)
    }

    // MARK: Stage 1: intake

    /// Reads a spooled file's bytes once (never following a symlink or blocking on a FIFO), hashes them,
    /// and reads its sidecar; a file whose bytes are already queued is reported as such.
    public func intake(_ entry: SpoolEntry) throws(StageFailure) -> IntakeOutcome {
        let bytes: Data
        do { bytes = try SpoolFile.read(entry.path) } catch {
            throw StageFailure(stage: .intake, reason: "cannot read the spooled file: \(error.reason)", permanent: false)
        }
        let sha = SHA256Digest.hex(bytes)
        let existing: [QueueItem]
        do { existing = try store.items(sha256: sha) } catch { throw .store(error, stage: .intake) }
        if !existing.isEmpty { return .alreadyCommitted(sha256: sha, items: existing.map(\.id)) }
        var sidecar = SidecarRecord.absent
        var flags: [ItemFlag] = []
        if let sidecarPath = entry.sidecarPath {
            sidecar = Self.readSidecar(path: sidecarPath)
            if case .unreadable = sidecar { flags.append(.sidecarUnreadable) }
        }
        let line = entry.channel == .fax
            ? router.resolveLine(calledNumber: sidecar.sidecar?.calledNumber, lineFolder: entry.lineFolder, fileName: entry.fileName)
            : .none
        let receivedAt = sidecar.sidecar?.receivedAt ?? SpoolFile.modificationTime(entry.path) ?? clock.now()
        return .taken(IntakeRecord(fileName: entry.fileName, channel: entry.channel, bytes: bytes, sha256: sha,
                                   sidecar: sidecar, line: line, receivedAt: receivedAt, flags: flags))
    }

    /// The intake record of an item's archived original, for reprocessing: the bytes must still hash to the item's
    /// SHA-256, and the line is the one recorded when the fax was first taken (or its archived sidecar's).
    public func intake(archived item: QueueItem) throws(StageFailure) -> IntakeRecord {
        let bytes: Data
        do { bytes = try SpoolFile.read(item.archivePath) } catch {
            throw StageFailure(stage: .intake, reason: "cannot read the archived original \(item.archivePath): \(error.reason); restore it from backup",
                               permanent: false)
        }
        let sha = SHA256Digest.hex(bytes)
        guard sha == item.sha256 else {
            throw StageFailure(stage: .intake, reason: "the archived original \(item.archivePath) no longer matches its SHA-256; restore it from backup",
                               permanent: false)
        }
        let sidecarPath = archive.path(sha256: sha, extension: "json")
        let sidecar = FileManager.default.fileExists(atPath: sidecarPath) ? Self.readSidecar(path: sidecarPath) : .absent
        var line = LineResolution.none
        if item.channel == .fax {
            line = router.resolveLine(calledNumber: sidecar.sidecar?.calledNumber, lineFolder: nil, fileName: item.sourceFileName)
            if line.source == .none, let recorded = item.faxLine {
                line = router.recordedLine(recorded)
            }
        }
        return IntakeRecord(fileName: item.sourceFileName, channel: item.channel, bytes: bytes, sha256: sha, sidecar: sidecar,
                            line: line, receivedAt: item.receivedAt, flags: item.flags.filter { $0 == .sidecarUnreadable })
    }

    static func readSidecar(path: String) -> SidecarRecord {
        let bytes: Data
        do { bytes = try SpoolFile.read(path) } catch {
            return .unreadable(bytes: nil, reason: "cannot read the sidecar: \(error.reason)")
        }
        do { return .read(try FaxSidecar.parse(bytes, name: URL(fileURLWithPath: path).lastPathComponent), bytes: bytes) } catch {
            return .unreadable(bytes: bytes, reason: error.reason)
        }
    }

    // MARK: Stage 2: pages

    /// Decodes the record's bytes one page at a time, finds the form pages as they pass, and keeps only
    /// those (packed) and thumbnails of the rest: memory stays flat however long the fax.
    public func pages(_ record: IntakeRecord) throws(StageFailure) -> DocumentPages {
        let stream: PageStream
        do { stream = try decoder.open(data: record.bytes, name: record.fileName) } catch { throw .decoding(error) }
        var formPages: [HeldFormPage] = []
        var thumbnails: [PageThumbnail] = []
        var classifySeconds = 0.0
        var headerBand: HeaderBand?
        var index = 0
        while true {
            let next: Page?
            do { next = try stream.next() } catch { throw .decoding(error) }
            guard let page = next else { break }
            if index == 0, record.channel == .fax { headerBand = HeaderBand.find(on: page, points: configuration.headerBandPoints) }
            let started = DispatchTime.now().uptimeNanoseconds
            let match = page.isBlank ? nil : resources.form.classify(page)
            classifySeconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            if let match {
                formPages.append(HeldFormPage(index: index, page: HeldPage(page), match: match))
            } else {
                thumbnails.append(PageThumbnail(index: index, image: page.thumbnail(maxWidth: configuration.thumbnailWidth),
                                                isBlank: page.isBlank))
            }
            index += 1
        }
        // A stream ends with a page or throws `.noPages`: `index` is at least 1 here.
        var line = record.line
        if record.channel == .fax, line.source == .none {
            line = router.resolveLine(callIDs: stream.fax.callIDs)
        }
        return DocumentPages(record: record, pageCount: index, fax: stream.fax, line: line,
                             stationID: record.sidecar.sidecar?.stationID ?? stream.fax.stationID,
                             formPages: formPages, thumbnails: thumbnails, formValues: stream.formValues,
                             headerBand: headerBand, classifySeconds: classifySeconds)
    }

    // MARK: Stage 3: requests

    /// Splits the document into requests (every form page starts one; the pages up to the next form page
    /// are its attachments; cover pages before the first form belong to the first), reads each form with
    /// `extractor`, validates and routes it.
    public func requests(_ pages: DocumentPages, extractor: FormExtractor) throws(StageFailure) -> DocumentRequests {
        let file = pages.record.fileName
        var readings: [(formPage: Int?, range: PageRange, result: ExtractionResult)] = []
        if let acro = extractor.read(acroForm: pages.formValues,
                                     location: pages.formPages.first.map { extractor.location(pageIndex: $0.index, match: $0.match) },
                                     file: file, pages: pages.pageCount) {
            // A fillable PDF's field names are unique: it carries one request, whatever its page count.
            readings.append((acro.form?.page, PageRange(first: 1, last: pages.pageCount), acro))
        } else if pages.formPages.isEmpty {
            readings.append((nil, PageRange(first: 1, last: pages.pageCount), extractor.noForm(file: file, pages: pages.pageCount)))
        } else {
            for (k, held) in pages.formPages.enumerated() {
                let first = k == 0 ? 1 : held.index + 1
                let last = k + 1 < pages.formPages.count ? pages.formPages[k + 1].index : pages.pageCount
                let result: ExtractionResult
                do {
                    result = try extractor.read(formPage: held.page.page(), index: held.index, match: held.match,
                                                file: file, pages: pages.pageCount)
                } catch { throw .extracting(error) }
                readings.append((held.index + 1, PageRange(first: first, last: last), result))
            }
        }
        let header = try pages.headerBand.flatMap { band throws(StageFailure) in try Self.readHeader(band, with: extractor) }
        var drafts: [RequestDraft] = []
        for reading in readings {
            let form = try validate(reading.result, receivedAt: pages.record.receivedAt)
            var content = route(form, channel: pages.record.channel, line: pages.line, receivedAt: pages.record.receivedAt)
            content.flags += pages.record.flags
            content.header = header
            drafts.append(RequestDraft(formPage: reading.formPage, pageRange: reading.range, extraction: reading.result, content: content))
        }
        return DocumentRequests(record: pages.record, pageCount: pages.pageCount, line: pages.line,
                                stationID: pages.stationID, requests: drafts)
    }

    /// The sender's header line as read, and the first fax number in it; nil when it reads as nothing.
    static func readHeader(_ band: HeaderBand, with extractor: FormExtractor) throws(StageFailure) -> FaxHeader? {
        let line: (text: String, confidence: Double)
        do { line = try extractor.readLine(band.image, dpi: band.dpi) } catch {
            throw StageFailure(stage: .extract, reason: "the fax header line: \(error)", permanent: false)
        }
        guard line.text.filter({ $0.isLetter || $0.isNumber }).count >= 5 else { return nil }
        return FaxHeader(text: line.text, faxNumber: faxNumber(in: line.text))
    }

    /// The first North American fax number in a text, digits only (a leading 1 dropped).
    static func faxNumber(in text: String) -> String? {
        let pattern = #"(?<![0-9])(?:\+?1[ .-]?)?\(?[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}(?![0-9])"#
        guard let range = text.range(of: pattern, options: .regularExpression) else { return nil }
        var digits = text[range].filter(\.isNumber)
        if digits.count == 11, digits.first == "1" { digits.removeFirst() }
        return String(digits)
    }

    /// What validation derives from one extraction: stored readings and the keys routing and due dates need.
    struct ValidatedForm {
        var formPage: Int?
        var formID: String?
        var fields: [String: StoredField]
        var checkboxes: [String: StoredCheckboxGroup]
        var requestTypes: [String]
        var priority: Priority
        var serviceDate: Date?
        var duplicateKey: String?
        var flags: [ItemFlag]
        var member: MemberCheck?
        var servicingProvider: ProviderNetworkCheck?
    }

    func validate(_ result: ExtractionResult, receivedAt: Date) throws(StageFailure) -> ValidatedForm {
        var fields: [String: StoredField] = [:]
        for (name, r) in result.fields {
            guard r.confidence.isFinite else {
                throw StageFailure(stage: .validate, reason: "field \(name) came back with a non-finite confidence; the extractor is misbehaving", permanent: true)
            }
            fields[name] = StoredField(value: r.value, normalized: r.normalized, confidence: r.confidence,
                                       valid: r.valid, needsReview: r.needsReview, issues: r.issues.map(\.description))
        }
        var boxes: [String: StoredCheckboxGroup] = [:]
        for (name, r) in result.checkboxes {
            guard r.confidence.isFinite else {
                throw StageFailure(stage: .validate, reason: "checkbox group \(name) came back with a non-finite confidence", permanent: true)
            }
            boxes[name] = StoredCheckboxGroup(selected: r.selected, confidence: r.confidence, needsReview: r.needsReview)
        }
        var flags: [ItemFlag] = []
        var references = ReferenceChecks.Outcome()
        if result.form != nil {
            // Coverage without a service date is judged on the day the request arrived, so a reprocess
            // months later concludes what the first run did.
            references = resources.references.apply(to: &fields, checkboxes: boxes, on: DayDate.today(in: TimeZone(identifier: "UTC")!, now: receivedAt))
        }
        if result.form == nil { flags.append(.noForm) }
        if fields.values.contains(where: \.needsReview) || boxes.values.contains(where: \.needsReview) {
            flags.append(.needsReview)
        }
        flags += references.flags
        let template = resources.form.template
        // Roles, not names: a plan's own form names its fields as it likes.
        let urgentOptions = template.group(role: .priority)?.options.filter { $0.role == .urgent }.map(\.value) ?? []
        let ticked = template.group(role: .priority).flatMap { boxes[$0.name]?.selected } ?? []
        let priority: Priority = ticked.contains(where: urgentOptions.contains) ? .urgent : .standard
        let requestTypes = template.group(role: .requestType).flatMap { boxes[$0.name]?.selected } ?? []
        let serviceDate = template.fields(role: .serviceDate).first.flatMap { fields[$0.name]?.normalized }.flatMap(Self.day)
        return ValidatedForm(
            formPage: result.form?.page, formID: result.form?.id, fields: fields, checkboxes: boxes,
            requestTypes: requestTypes, priority: priority, serviceDate: serviceDate,
            duplicateKey: duplicateKey(fields), flags: flags, member: references.member,
            servicingProvider: references.servicingProvider)
    }

    /// Routes and dates one request; `line` is `.none` for mail-room scans.
    func route(_ form: ValidatedForm, channel: Channel, line: LineResolution, receivedAt: Date) -> ItemContent {
        let decision = router.route(channel: channel, line: line, requestTypes: form.requestTypes)
        var flags = form.flags + decision.flags
        if channel == .mail, decision.route == configuration.unroutedQueue { flags.append(.requestTypeUnreadable) }
        let hours = form.priority == .urgent ? configuration.dueBy.urgentHours : configuration.dueBy.standardHours
        return ItemContent(
            route: decision.route, priority: form.priority, dueBy: receivedAt + hours * 3600,
            formPage: form.formPage, formID: form.formID, fields: form.fields, checkboxes: form.checkboxes,
            flags: flags, duplicateOf: nil, duplicateKey: form.duplicateKey, serviceDate: form.serviceDate,
            member: form.member, servicingProvider: form.servicingProvider)
    }

    /// SHA-256 of member id and sorted procedure codes: re-sends match, yet the key reveals neither.
    func duplicateKey(_ fields: [String: StoredField]) -> String? {
        let template = resources.form.template
        guard let memberField = template.fields(role: .memberID).first,
              let member = fields[memberField.name]?.normalized, !member.isEmpty else { return nil }
        let codes = template.fields(role: .procedureCode).compactMap { fields[$0.name]?.normalized }.filter { !$0.isEmpty }.sorted()
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

    // MARK: Stage 4: commit

    /// Archives the original (temp file, fsync, rename), then inserts every request in one transaction:
    /// a crash leaves all of a document's requests stored or none, never some.
    public func commit(_ document: DocumentRequests, faults: StageFaultInjector? = nil) throws(StageFailure) -> [InsertOutcome] {
        let record = document.record
        try faults?(.archive, record.fileName)
        let archivePath = try archiveOriginal(record)
        // Between archive and insert: the window a crash must not turn into a lost or doubled item.
        try faults?(.commit, record.fileName)
        var items: [NewItem] = []
        for draft in document.requests {
            var content = draft.content
            try flagDuplicate(&content, record: record)
            items.append(newItem(record, line: document.line, stationID: document.stationID, pageCount: document.pageCount,
                                 pageRange: draft.pageRange, content: content, archivePath: archivePath))
        }
        do { return try store.insert(items) } catch { throw .store(error, stage: .commit) }
    }

    /// Stores a document that could not pass a stage as one failed item, its original archived.
    public func commitFailure(_ record: IntakeRecord, line: LineResolution? = nil, pageCount: Int = 0,
                              failure: StageFailure, attempts: Int) throws(StageFailure) -> InsertOutcome {
        let archivePath = try archiveOriginal(record)
        let decision = router.route(channel: record.channel, line: line ?? record.line, requestTypes: [])
        let content = ItemContent(route: decision.route, priority: .standard,
                                  dueBy: record.receivedAt + configuration.dueBy.standardHours * 3600,
                                  flags: decision.flags + record.flags)
        var item = newItem(record, line: line ?? record.line, stationID: record.sidecar.sidecar?.stationID, pageCount: pageCount,
                           pageRange: nil, content: content, archivePath: archivePath)
        item.status = .failed
        item.failure = FailureRecord(stage: failure.stage, reason: failure.reason, attempts: attempts,
                                     lastAttemptAt: clock.now(), permanent: failure.permanent)
        do { return try store.insert(item) } catch { throw .store(error, stage: .commit) }
    }

    /// Replaces a failed item with what reprocessing read: its first request takes the item's id, further
    /// requests found in the same file join it as siblings, all in one transaction.
    public func requeue(_ item: QueueItem, with document: DocumentRequests, note: String) throws(StageFailure) -> [QueueItem] {
        var drafts = document.requests
        for k in drafts.indices { try flagDuplicate(&drafts[k].content, record: document.record, excluding: item.id) }
        let first = drafts.removeFirst()
        let siblings = drafts.map {
            newItem(document.record, line: document.line, stationID: document.stationID, pageCount: document.pageCount,
                    pageRange: $0.pageRange, content: $0.content, archivePath: item.archivePath)
        }
        do {
            return try store.requeue(id: item.id, with: first.content, pageRange: first.pageRange, pageCount: document.pageCount,
                                     note: note, adding: siblings)
        } catch { throw .store(error, stage: .commit) }
    }

    private func flagDuplicate(_ content: inout ItemContent, record: IntakeRecord, excluding id: ItemID? = nil) throws(StageFailure) {
        guard let key = content.duplicateKey else { return }
        let earlier: QueueItem?
        do {
            earlier = try store.possibleDuplicate(
                ofKey: key, serviceDate: content.serviceDate, receivedAt: record.receivedAt,
                within: configuration.duplicateWindowDays * 86_400, excluding: record.sha256)
        } catch { throw .store(error, stage: .commit) }
        if let earlier, earlier.id != id {
            content.duplicateOf = earlier.id
            content.flags.append(.possibleDuplicate)
        }
    }

    private func archiveOriginal(_ record: IntakeRecord) throws(StageFailure) -> String {
        do { return try archive.store(original: record.bytes, sha256: record.sha256, sidecar: record.sidecar.bytes) } catch {
            throw .storing(error, stage: .archive)
        }
    }

    private func newItem(_ record: IntakeRecord, line: LineResolution, stationID: String?, pageCount: Int,
                         pageRange: PageRange?, content: ItemContent, archivePath: String) -> NewItem {
        NewItem(
            sha256: record.sha256, receivedAt: record.receivedAt, channel: record.channel,
            // The sidecar's caller number; failing that, the number in the sender's header line.
            faxLine: line.line?.number ?? line.dialled, caller: record.sidecar.sidecar?.callerNumber ?? content.header?.faxNumber,
            stationID: stationID, sourceFileName: record.fileName, archivePath: archivePath,
            pageCount: pageCount, pageRange: pageRange, content: content)
    }
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
