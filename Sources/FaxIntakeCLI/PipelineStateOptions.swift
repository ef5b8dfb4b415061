import ArgumentParser
import Foundation
import IntakePipeline
import IntakeQueue

/// `--pipeline` plus folder overrides, for every command that opens the queue.
struct PipelineStateOptions: ParsableArguments {
    @OptionGroup var pipelineOptions: PipelineOptions

    @Option(help: ArgumentHelp("Override the pipeline's state folder (holds queue.sqlite).", valueName: "dir"))
    var state: String?

    func load() throws -> PipelineConfiguration {
        var configuration = try pipelineOptions.load()
        if let state { configuration.state = Self.absolute(state) }
        return configuration
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
    }
}

/// Opens `<state>/queue.sqlite`, mapping failures to sysexits.
func openStore(_ configuration: PipelineConfiguration) throws -> SQLiteQueueStore {
    do {
        return try SQLiteQueueStore(path: configuration.state + "/queue.sqlite")
    } catch {
        printError("error: \(error.description)")
        switch error {
        case .locked: throw SysExit.tempFail
        case .insecureDirectory: throw SysExit.config
        case .fileSystem: throw SysExit.cantCreate
        default: throw SysExit.software
        }
    }
}

/// Runs a store call, mapping its error to sysexits with the store's own actionable message.
func storeCall<T>(_ body: () throws(QueueStoreError) -> T) throws -> T {
    do { return try body() } catch {
        printError("error: \(error.description)")
        switch error {
        case .notFound: throw SysExit.noInput
        case .locked: throw SysExit.tempFail
        case .invalidTransition, .statusChanged, .invalidItem: throw SysExit.dataError
        default: throw SysExit.software
        }
    }
}

/// Parses `YYYY-MM-DD` as the start of that local day.
func parseDay(_ text: String) throws -> Date {
    let f = DateFormatter()
    f.dateFormat = "yyyy-MM-dd"
    f.locale = Locale(identifier: "en_US_POSIX")
    f.isLenient = false
    guard let date = f.date(from: text) else {
        printError("error: '\(text)' is not a date in YYYY-MM-DD form")
        throw SysExit.usage
    }
    return Calendar.current.startOfDay(for: date)
}

/// Parses a `--stage` value; anything else is a usage error naming the stages.
func parseStage(_ text: String) throws -> PipelineStage {
    guard let stage = PipelineStage(rawValue: text) else {
        printError("error: unknown stage '\(text)'; use one of \(PipelineStage.allCases.map(\.rawValue).joined(separator: ", "))")
        throw SysExit.usage
    }
    return stage
}
