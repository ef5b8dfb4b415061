import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What identifies one version of a file: a new export written in place changes mtime or size, one
/// renamed into place changes the inode.
public struct FileSignature: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modifiedSeconds: Int64
    public var modifiedNanoseconds: Int64

    /// nil when the file cannot be stat'ed (gone, no permission).
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if canImport(Darwin)
        modifiedSeconds = Int64(info.st_mtimespec.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtimespec.tv_nsec)
        #else
        modifiedSeconds = Int64(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        #endif
    }
}

/// Reference data that follows its file: on access, at most every `checkInterval` seconds, the file's
/// signature is compared, and a changed file is loaded by that one caller (others keep the old data meanwhile)
/// and swapped in whole. A new file that fails to load leaves the old data in use and is reported (`lastReloadError`,
/// `onReloadError`); it is not retried until the file changes again.
public final class ReloadingReference<Value: Sendable>: Sendable {
    public typealias Loader = @Sendable (String) throws(ReferenceError) -> Value

    public let path: String
    /// Seconds between two looks at the file.
    public let checkInterval: Double
    private let load: Loader
    private let now: @Sendable () -> Double
    private let onReloadError: (@Sendable (ReferenceError) -> Void)?

    private struct State {
        var value: Value
        /// The version `value` came from, or the version that last failed (so it is not retried).
        var seen: FileSignature?
        var lastCheck: Double
        var checking = false
        var lastReloadError: ReferenceError?
        var reloads = 0
    }
    private let state: Mutex<State>

    /// Loads the file now; an error here is the caller's configuration error (exit 78 at start).
    /// - Parameters:
    ///   - now: seconds on a monotonic clock; injectable for tests.
    public init(path: String, checkInterval: Double = 30, now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime },
                onReloadError: (@Sendable (ReferenceError) -> Void)? = nil, load: @escaping Loader) throws(ReferenceError) {
        self.path = path
        self.checkInterval = checkInterval
        self.load = load
        self.now = now
        self.onReloadError = onReloadError
        let signature = FileSignature(path: path)
        let value = try load(path)
        state = Mutex(State(value: value, seen: signature, lastCheck: now()))
    }

    /// The data, reloaded first if the check interval has passed and the file has changed. Only the caller
    /// that finds the change loads it; others keep getting the old data meanwhile.
    public var current: Value {
        let due: Bool = state.withLock { s in
            guard !s.checking, now() - s.lastCheck >= checkInterval else { return false }
            s.checking = true
            s.lastCheck = now()
            return true
        }
        if due { checkFile() }
        return state.withLock { $0.value }
    }

    /// The error of the last reload that failed, cleared by the next one that succeeds.
    public var lastReloadError: ReferenceError? { state.withLock { $0.lastReloadError } }

    /// How many times a changed file was loaded and swapped in.
    public var reloadCount: Int { state.withLock { $0.reloads } }

    /// Looks at the file now, whatever the interval; returns true when new data was swapped in.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        let claimed: Bool = state.withLock { s in
            guard !s.checking else { return false }
            s.checking = true
            s.lastCheck = now()
            return true
        }
        return claimed ? checkFile() : false
    }

    /// Called with `checking` claimed; releases it.
    @discardableResult
    private func checkFile() -> Bool {
        let signature = FileSignature(path: path)
        let seen = state.withLock { $0.seen }
        guard signature != seen else {
            state.withLock { $0.checking = false }
            return false
        }
        // The signature is taken before reading: if the file changes again while it is read, the next check
        // sees a newer signature and loads again.
        let result: Result<Value, ReferenceError>
        do throws(ReferenceError) {
            result = .success(try load(path))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let value):
            state.withLock { s in
                s.value = value
                s.seen = signature
                s.lastReloadError = nil
                s.reloads += 1
                s.checking = false
            }
            return true
        case .failure(let error):
            state.withLock { s in
                s.seen = signature
                s.lastReloadError = error
                s.checking = false
            }
            onReloadError?(error)
            return false
        }
    }
}

extension ReloadingReference where Value == MemberRoster {
    /// A roster that follows its file.
    public convenience init(members path: String, columns: ReferenceColumns.Members = .init(), checkInterval: Double = 30,
                            onReloadError: (@Sendable (ReferenceError) -> Void)? = nil) throws(ReferenceError) {
        try self.init(path: path, checkInterval: checkInterval, onReloadError: onReloadError) { (p) throws(ReferenceError) in
            try MemberRoster.load(path: p, columns: columns)
        }
    }
}

extension ReloadingReference where Value == ProviderDirectory {
    /// A provider directory that follows its file.
    public convenience init(providers path: String, columns: ReferenceColumns.Providers = .init(), checkInterval: Double = 30,
                            onReloadError: (@Sendable (ReferenceError) -> Void)? = nil) throws(ReferenceError) {
        try self.init(path: path, checkInterval: checkInterval, onReloadError: onReloadError) { (p) throws(ReferenceError) in
            try ProviderDirectory.load(path: p, columns: columns)
        }
    }
}
