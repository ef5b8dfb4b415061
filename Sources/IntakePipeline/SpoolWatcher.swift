import Dispatch
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Watches the inbound folders with inotify (through a DispatchSource) and rescans on a timer.
///
/// The timer is there because network shares deliver no inotify events.
/// `@unchecked Sendable` because `descriptor`, `watches` and the sources are only touched on `queue`.
public final class SpoolWatcher: @unchecked Sendable {
    private let scanner: SpoolScanner
    private let rescanSeconds: Double
    private let onChange: @Sendable () -> Void
    private let logger: Logger
    private let queue = DispatchQueue(label: "faxintake.watch")
    private var descriptor: Int32 = -1
    private var watches: [Int32: String] = [:]
    private var readSource: (any DispatchSourceRead)?
    private var timer: (any DispatchSourceTimer)?

    public init(scanner: SpoolScanner, rescanSeconds: Double, logger: Logger = Logger(label: "faxintake.watch"),
                onChange: @escaping @Sendable () -> Void) {
        self.scanner = scanner
        self.rescanSeconds = rescanSeconds
        self.logger = logger
        self.onChange = onChange
    }

    public func start() throws(PipelineError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            throw .folder(path: scanner.spool, reason: "inotify_init1 failed (\(OwnerOnlyFiles.errnoText())); raise fs.inotify.max_user_instances")
        }
        queue.sync {
            descriptor = fd
            addWatches()
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            source.setEventHandler { [weak self] in self?.drainEvents() }
            source.setCancelHandler { close(fd) }
            source.resume()
            readSource = source
            let tick = DispatchSource.makeTimerSource(queue: queue)
            tick.schedule(deadline: .now() + rescanSeconds, repeating: rescanSeconds)
            tick.setEventHandler { [weak self] in
                self?.addWatches()
                self?.onChange()
            }
            tick.resume()
            timer = tick
        }
    }

    public func stop() {
        queue.sync {
            readSource?.cancel()
            timer?.cancel()
            readSource = nil
            timer = nil
        }
    }

    /// Watches each inbound folder and per-line subfolder not yet watched (new line folders appear at runtime).
    private func addWatches() {
        let mask = UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_CREATE)
        let known = Set(watches.values)
        for folder in scanner.watchedFolders() where !known.contains(folder) {
            let wd = inotify_add_watch(descriptor, folder, mask)
            if wd >= 0 {
                watches[wd] = folder
            } else {
                logger.warning("cannot watch a spool folder; relying on the rescan", metadata: ["folder": "\(folder)", "error": "\(OwnerOnlyFiles.errnoText())"])
            }
        }
    }

    private func drainEvents() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var sawEvent = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            sawEvent = true
        }
        guard sawEvent else { return }
        // A new per-line folder needs its own watch before files land in it.
        addWatches()
        onChange()
    }
}
