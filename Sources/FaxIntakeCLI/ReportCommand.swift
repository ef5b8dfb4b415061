import ArgumentParser
import Foundation
import IntakePipeline
import IntakeQueue

/// `faxintake report`: the daily operations report, counts only.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Volumes, failures, review load, due-by and latency for a day (counts only, no PHI).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv, html }

    @OptionGroup var options: PipelineStateOptions
    @Option(help: ArgumentHelp("The day items were received (local time); today by default.", valueName: "YYYY-MM-DD")) var date: String?
    @Flag(help: "Every item in the queue, whatever day it was received.") var all = false
    @Option(help: "text, json, csv or html.") var format: Format = .text

    func run() throws {
        let configuration = try options.load()
        let store = try openStore(configuration)
        let day: Date? = all ? nil : try date.map(parseDay) ?? Date()
        let report = try storeCall { () throws(QueueStoreError) in
            try NightlyReport.build(store: store, day: day, configuration: configuration, now: Date())
        }
        switch format {
        case .text: print(report.text())
        case .json: print(JSONOutput.pretty(report))
        case .csv: print(report.csv())
        case .html: print(report.html())
        }
    }
}
