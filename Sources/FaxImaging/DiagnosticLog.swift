import Foundation

/// Messages a C library reported while working on one document.
///
/// `@unchecked Sendable`: the library calls back on the thread that owns the handle, and the lock
/// guards the rare case of a reader on another thread.
final class DiagnosticLog: @unchecked Sendable {
    private let lock = NSLock()
    private var _errors: [String] = []
    private var _warnings: [String] = []
    private let cap = 50

    func error(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        if _errors.count < cap { _errors.append(message) }
    }

    func warning(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        if _warnings.count < cap { _warnings.append(message) }
    }

    var errors: [String] { lock.lock(); defer { lock.unlock() }; return _errors }
    var warnings: [String] { lock.lock(); defer { lock.unlock() }; return _warnings }

    /// The first error, trimmed to one line, for an error message.
    var firstError: String? {
        errors.first.map { $0.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces) }
    }
}
