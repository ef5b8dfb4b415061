import ArgumentParser
import Foundation
import IntakePipeline
import IntakeQueue

/// `faxintake reprocess`: re-run failed items from their archived originals.
struct ReprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reprocess",
        abstract: "Re-run failed items from their archived originals (decode, extract, route) and requeue them.",
        discussion: "Idempotent: queued items are left alone. An item that fails again stays failed with one more attempt. --failed skips permanent failures; naming an id reprocesses it regardless.")

    @OptionGroup var options: PipelineStateOptions
    @Argument(help: "Item ids.") var ids: [Int64] = []
    @Flag(help: "Every failed item that is not permanent.") var failed = false
    @Option(help: ArgumentHelp("With --failed: received on or after this day.", valueName: "YYYY-MM-DD")) var since: String?
    @Option(help: "With --failed: only failures at this stage.") var stage: String?
    @Flag(help: "List what would be reprocessed and change nothing.") var dryRun = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if ids.isEmpty == !failed { throw ValidationError("give item ids or --failed (not both)") }
    }

    struct Line: Encodable {
        var id: ItemID
        var outcome: String
        var route: String?
        var siblings: [ItemID]?
        var stage: PipelineStage?
        var reason: String?
        var attempts: Int?
    }

    func run() throws {
        // Before anything is opened, so a mistyped stage changes nothing.
        let stageFilter = try stage.map(parseStage)
        let configuration = try options.load()
        // Checked before any item is touched: a bad template or model exits 78 and changes nothing.
        let resources = try loadResources(configuration)
        let store = try openStore(configuration)
        let reprocessor = Reprocessor(configuration: configuration, resources: resources, store: store)
        let targets: [ItemID]
        if failed {
            let sinceDate = try since.map(parseDay)
            targets = try storeCall { () throws(QueueStoreError) in try reprocessor.candidates(since: sinceDate, stage: stageFilter) }.map(\.id)
        } else {
            targets = ids.map(ItemID.init)
        }
        if dryRun {
            for id in targets { print(json ? JSONOutput.line(Line(id: id, outcome: "would_reprocess")) : "would reprocess #\(id)") }
            return
        }
        guard !targets.isEmpty else { return }
        let extractor = try makeExtractor(resources)
        var failures = 0
        for id in targets {
            let outcome = try storeCall { () throws(QueueStoreError) in try reprocessor.reprocess(id, extractor: extractor) }
            let line: Line
            switch outcome {
            case .requeued(let id, let route, let siblings):
                line = Line(id: id, outcome: "requeued", route: route, siblings: siblings.isEmpty ? nil : siblings)
            case .unchanged(let id, let status): line = Line(id: id, outcome: "unchanged_\(status)")
            case .failedAgain(let id, let stage, let reason, let attempts):
                failures += 1
                line = Line(id: id, outcome: "failed", stage: stage, reason: reason, attempts: attempts)
            }
            if json {
                print(JSONOutput.line(line))
            } else {
                print("#\(line.id) \(line.outcome)" + (line.route.map { " → \($0)" } ?? "")
                      + (line.siblings.map { " with further requests \($0.map { "#\($0)" }.joined(separator: ", "))" } ?? "")
                      + (line.stage.map { " at \($0.rawValue) (attempt \(line.attempts ?? 0)): \(line.reason ?? "")" } ?? ""))
            }
        }
        if failures > 0 { throw SysExit.dataError }
    }
}
