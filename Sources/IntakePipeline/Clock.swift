import Foundation
import Synchronization

/// The pipeline's source of "now", so due dates, readiness and retries can be tested without sleeping.
public protocol Clock: Sendable {
    func now() -> Date
}

/// Wall-clock time.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when a test moves it.
///
public final class ManualClock: Clock, Sendable {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    public func now() -> Date {
        current.withLock { $0 }
    }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }

    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
