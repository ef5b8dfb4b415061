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
    var pageCount: Int
    var flags: [String]
    var duplicateOf: ItemID?
    var failedStage: String?
    var failureReason: String?
    var attempts: Int?
    var permanent: Bool?

    init(_ item: QueueItem) {
        id = item.id; route = item.route; status = item.status; priority = item.priority; channel = item.channel
        receivedAt = item.receivedAt; dueBy = item.dueBy; pageCount = item.pageCount; flags = item.flags.map(\.rawValue)
        duplicateOf = item.duplicateOf; failedStage = item.failure?.stage; failureReason = item.failure?.reason
        attempts = item.failure?.attempts; permanent = item.failure?.permanent
    }

    var line: String {
        let iso = ISO8601DateFormatter()
        var parts = ["#\(id)", route, status.rawValue, priority.rawValue, channel.rawValue, "received \(iso.string(from: receivedAt))",
                     "\(pageCount)p"]
        if let dueBy { parts.append("due \(iso.string(from: dueBy))") }
        if !flags.isEmpty { parts.append("[\(flags.joined(separator: ","))]") }
        if let duplicateOf { parts.append("dup-of #\(duplicateOf)") }
        if let failedStage { parts.append("failed at \(failedStage) (attempts \(attempts ?? 0)\(permanent == true ? ", permanent" : "")): \(failureReason ?? "")") }
        return parts.joined(separator: "  ")
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
    @Option(help: "Only this status: queued, failed, processing, done.") var status: String?
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
        if json { print(JSONOutput.pretty(items.map(ItemSummary.init))) } else { items.forEach { print(ItemSummary($0).line) } }
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
        if json {
            print(JSONOutput.pretty(item))
            return
        }
        print(ItemSummary(item).line)
        print("source: \(item.sourceFileName)  sha256: \(item.sha256)")
        print("archive: \(item.archivePath)")
        print("fax line: \(item.faxLine ?? "-")  caller: \(item.caller ?? "-")  station: \(item.stationID ?? "-")")
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
        let filter = ItemFilter(status: .failed, receivedSince: try since.map(parseDay), failedStage: stage)
        let store = try openStore(try options.load())
        let items = try storeCall { () throws(QueueStoreError) in try store.list(filter) }
        if json { print(JSONOutput.pretty(items.map(ItemSummary.init))) } else { items.forEach { print(ItemSummary($0).line) } }
    }
}
