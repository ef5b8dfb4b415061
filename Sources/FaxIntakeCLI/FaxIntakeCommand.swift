import ArgumentParser
import Foundation

/// The `faxintake` command: intake of faxed and scanned prior-authorization requests.
public struct FaxIntakeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "faxintake",
        abstract: "Turn faxed and scanned prior-authorization requests into routed, structured queue items.",
        version: "0.1.0",
        subcommands: [DecodeCommand.self, ExtractCommand.self, FormStructureCommand.self, AccuracyCommand.self, CalibrateCommand.self, BenchCommand.self, RunCommand.self, StatusCommand.self, QueueCommand.self, FailedCommand.self, ReprocessCommand.self, ReportCommand.self, ConsoleCommand.self, UsersCommand.self, AuditCommand.self]
    )

    public init() {}
}

extension FaxIntakeCommand {
    /// Entry point for the executable: keeps `main.swift` to one line and lets tests call commands directly.
    public static func runMain(_ arguments: [String]? = nil) {
        Environment.prepareForOCR()
        main(arguments)
    }
}

/// Process-wide settings that must be in place before any library starts threads.
enum Environment {
    /// Debian's tesseract uses OpenMP, whose runtime reads OMP_THREAD_LIMIT once, when it is loaded,
    /// before `main`. We parallelise ourselves, and OpenMP's own threads on top made one page five
    /// times slower here, so without the variable the process re-executes itself with it set.
    ///
    /// glibc likewise reads its malloc tunables only at start-up. Page buffers of several megabytes pass
    /// from the decode worker to the extract workers; under glibc's sliding mmap threshold they soon come
    /// from the threads' heaps, whose freed holes held 60–120 MB of peak RSS in the benchmark (`faxintake
    /// bench run`). A fixed 1 MiB threshold (`MALLOC_MMAP_THRESHOLD_`) gives every such buffer back when
    /// it is freed. Capping the arenas instead (two, as before) made the extract workers share one and
    /// wait on its lock (measured: up to 195,000 lock waits in a 40-document run); with the threshold
    /// fixed, glibc's own arena count costs no memory (peak RSS 231–240 MB either way).
    static func prepareForOCR() {
        guard getenv("OMP_THREAD_LIMIT") == nil || getenv("MALLOC_MMAP_THRESHOLD_") == nil else { return }
        setenv("OMP_THREAD_LIMIT", "1", 0)
        setenv("MALLOC_MMAP_THRESHOLD_", "1048576", 0)
        let arguments = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // execv only returns on failure: carry on, slower but correct.
    }
}
