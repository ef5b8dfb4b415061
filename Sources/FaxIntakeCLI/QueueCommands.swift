import ArgumentParser
import Foundation
import IntakePipeline
import IntakeQueue

/// `faxintake status`: item counts per route and state.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Count queue items per route and status.")

    @OptionGroup var options: PipelineStateOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try openStore(try options.load())
        let counts = try storeCall { () throws(QueueStoreError) in try store.counts() }
        if json {
            print(JSONOutput.pretty(counts))
            return
        }
        let routes = Array(Set(counts.map(\.route))).sorted()
        print("route".padding(toLength: 22, withPad: " ", startingAt: 0) + ItemStatus.allCases.map { $0.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0) }.joined())
        for route in routes {
            let cells = ItemStatus.allCases.map { status in
                String(counts.first { $0.route == route && $0.status == status }?.count ?? 0).padding(toLength: 11, withPad: " ", startingAt: 0)
            }
            print(route.padding(toLength: 22, withPad: " ", startingAt: 0) + cells.joined())
        }
        print("total: \(counts.reduce(0) { $0 + $1.count })")
    }
}

/// One line of a listing: no field values, so listings are safe to paste into tickets.
struct ItemSummary: Encodable {
    var id: ItemID
    var route: String
    var status: ItemStatus
    var priority: Priority
    var channel: Channel
    var receivedAt: Date
    var dueBy: Date?
    var sourceFileName: String
    var pageCount: Int
    /// This request's pages in the file; with `formPage`, which request of a multi-request file this is.
    var pageRange: PageRange?
    var formPage: Int?
    var flags: [String]
    var duplicateOf: ItemID?
    var failedStage: PipelineStage?
    var failureReason: String?
    var attempts: Int?
    var permanent: Bool?

    init(_ item: QueueItem) {
        id = item.id; route = item.route; status = item.status; priority = item.priority; channel = item.channel
        receivedAt = item.receivedAt; dueBy = item.dueBy; sourceFileName = item.sourceFileName
        pageCount = item.pageCount; pageRange = item.pageRange; formPage = item.formPage; flags = item.flags.map(\.rawValue)
        duplicateOf = item.duplicateOf; failedStage = item.failure?.stage; failureReason = item.failure?.reason
        attempts = item.failure?.attempts; permanent = item.failure?.permanent
    }

    enum CodingKeys: String, CodingKey {
        case id, route, status, priority, channel, receivedAt, dueBy, sourceFileName, pageCount, pageRange, formPage
        case flags, duplicateOf, failedStage, failureReason, attempts, permanent
    }

    // Written out so source_file_name, form_page and page_range are on every row (null when unknown),
    // which tells a file's requests apart; the other optional keys stay absent when nil, as before.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(route, forKey: .route)
        try container.encode(status, forKey: .status)
        try container.encode(priority, forKey: .priority)
        try container.encode(channel, forKey: .channel)
        try container.encode(receivedAt, forKey: .receivedAt)
        try container.encodeIfPresent(dueBy, forKey: .dueBy)
        try container.encode(sourceFileName, forKey: .sourceFileName)
        try container.encode(pageCount, forKey: .pageCount)
        try container.encode(pageRange, forKey: .pageRange)
        try container.encode(formPage, forKey: .formPage)
        try container.encode(flags, forKey: .flags)
        try container.encodeIfPresent(duplicateOf, forKey: .duplicateOf)
        try container.encodeIfPresent(failedStage, forKey: .failedStage)
        try container.encodeIfPresent(failureReason, forKey: .failureReason)
        try container.encodeIfPresent(attempts, forKey: .attempts)
        try container.encodeIfPresent(permanent, forKey: .permanent)
    }

    /// The text form; `siblings` are the other items from the same file.
    func line(siblings: [ItemID]) -> String {
        let iso = ISO8601DateFormatter()
        var parts = ["#\(id)", route, status.rawValue, priority.rawValue, channel.rawValue, "received \(iso.string(from: receivedAt))",
                     "\(pageCount)p"]
        if let pageRange { parts.append("pages \(pageRange.first)-\(pageRange.last)") }
        if let dueBy { parts.append("due \(iso.string(from: dueBy))") }
        if !flags.isEmpty { parts.append("[\(flags.joined(separator: ","))]") }
        if let duplicateOf { parts.append("dup-of #\(duplicateOf)") }
        if !siblings.isEmpty { parts.append("same file as \(siblings.map { "#\($0)" }.joined(separator: ","))") }
        if let failedStage { parts.append("failed at \(failedStage) (attempts \(attempts ?? 0)\(permanent == true ? ", permanent" : "")): \(failureReason ?? "")") }
        return parts.joined(separator: "  ")
    }
}

/// Prints items as a listing, JSON rows or text lines with each item's siblings from the same file.
func printListing(_ items: [QueueItem], store: some QueueStore, json: Bool) throws {
    if json {
        print(JSONOutput.pretty(items.map(ItemSummary.init)))
        return
    }
    // One lookup per file, not per item: a file's requests are usually listed together.
    var idsByFile: [String: [ItemID]] = [:]
    for item in items {
        if idsByFile[item.sha256] == nil {
            idsByFile[item.sha256] = try storeCall { () throws(QueueStoreError) in try store.items(sha256: item.sha256).map(\.id) }
        }
        let siblings = (idsByFile[item.sha256] ?? []).filter { $0 != item.id }
        print(ItemSummary(item).line(siblings: siblings))
    }
}

/// `queue show --json`: the item as stored, plus the other items from the same file.
struct ItemDetail: Encodable {
    var item: QueueItem
    var siblings: [ItemID]

    enum CodingKeys: String, CodingKey { case siblings }

    func encode(to encoder: any Encoder) throws {
        try item.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(siblings, forKey: .siblings)
    }
}

/// `faxintake queue`: list items or show one.
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "List queue items or show one.",
        subcommands: [QueueListCommand.self, QueueShowCommand.self])
}

/// `faxintake queue list`.
struct QueueListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List items in queue order (urgent first, then due-by).")

    @OptionGroup var options: PipelineStateOptions
    @Option(help: "Only this route.") var route: String?
    @Option(help: "Only this status: queued, failed, processing, done, verified.") var status: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        var filter = ItemFilter(route: route)
        if let status {
            guard let parsed = ItemStatus(rawValue: status) else {
                printError("error: unknown status '\(status)'; use one of \(ItemStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                throw SysExit.usage
            }
            filter.status = parsed
        }
        let store = try openStore(try options.load())
        let items = try storeCall { () throws(QueueStoreError) in try store.list(filter) }
        try printListing(items, store: store, json: json)
    }
}

/// `faxintake queue show ID`: the operator's full view of one item, field values included.
struct QueueShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one item in full, including its field values (PHI: an operator's view).")

    @OptionGroup var options: PipelineStateOptions
    @Argument(help: "The item id.") var id: Int64
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try openStore(try options.load())
        guard let item = try storeCall({ () throws(QueueStoreError) in try store.item(id: ItemID(id)) }) else {
            printError("error: queue item \(id) does not exist; list items with `faxintake queue list`")
            throw SysExit.noInput
        }
        let siblings = try storeCall { () throws(QueueStoreError) in try store.siblings(of: item.id) }
        if json {
            print(JSONOutput.pretty(ItemDetail(item: item, siblings: siblings)))
            return
        }
        print(ItemSummary(item).line(siblings: siblings))
        print("source: \(item.sourceFileName)  sha256: \(item.sha256)")
        print("archive: \(item.archivePath)")
        print("fax line: \(item.faxLine ?? "-")  caller: \(item.caller ?? "-")  station: \(item.stationID ?? "-")")
        print("pages: \(item.pageRange.map { "\($0.first)-\($0.last)" } ?? "-") of \(item.pageCount)  same file: \(siblings.isEmpty ? "none" : siblings.map { "#\($0)" }.joined(separator: ", "))")
        print("form page: \(item.formPage.map(String.init) ?? "-")  service date: \(item.serviceDate.map { ISO8601DateFormatter().string(from: $0) } ?? "-")")
        print("checkboxes:")
        for (name, group) in item.checkboxes.sorted(by: { $0.key < $1.key }) {
            print("  \(name): \(group.selected.joined(separator: ", "))\(group.needsReview ? "  (review)" : "")")
        }
        print("fields:")
        for (name, field) in item.fields.sorted(by: { $0.key < $1.key }) {
            let mark = field.needsReview ? "  (review\(field.issues.isEmpty ? "" : ": " + field.issues.joined(separator: "; ")))" : ""
            print("  \(name): \(field.value)  [\(String(format: "%.2f", field.confidence))]\(mark)")
        }
        print("history:")
        for entry in item.history { print("  \(ISO8601DateFormatter().string(from: entry.at))  \(entry.status)  \(entry.note)") }
    }
}

/// `faxintake failed list`.
struct FailedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failed", abstract: "Items that failed in the pipeline.", subcommands: [FailedListCommand.self])
}

/// `faxintake failed list`.
struct FailedListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List failed items with stage, reason and attempts.")

    @OptionGroup var options: PipelineStateOptions
    @Option(help: ArgumentHelp("Only items received on or after this day.", valueName: "YYYY-MM-DD")) var since: String?
    @Option(help: "Only failures at this stage (intake, decode, extract, validate, route, archive, commit).") var stage: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let filter = ItemFilter(status: .failed, receivedSince: try since.map(parseDay), failedStage: try stage.map(parseStage))
        let store = try openStore(try options.load())
        let items = try storeCall { () throws(QueueStoreError) in try store.list(filter) }
        try printListing(items, store: store, json: json)
    }
}
