import Foundation
import IntakeQueue
import Synchronization

/// A logged-in user's session: who, what they may do, the token every POST must carry, and when they were last seen.
public struct ConsoleSession: Sendable, Hashable {
    public let token: String
    public let user: String
    public let role: ConsoleRole
    public let csrfToken: String
    public var lastSeen: Date
}

/// Live sessions, in memory only: a restart logs everyone off, which is the safe direction for PHI.
public final class SessionStore: Sendable {
    /// What resuming a session found.
    public enum Resumption: Sendable, Equatable {
        case active(ConsoleSession)
        /// It was idle past the limit and is now gone; the caller audits the logoff.
        case expired(ConsoleSession)
        case unknown
    }

    private let sessions = Mutex<[String: ConsoleSession]>([:])
    private let idleSeconds: TimeInterval

    public init(idleSeconds: TimeInterval) {
        self.idleSeconds = idleSeconds
    }

    /// Starts a session with fresh random tokens.
    public func start(user: String, role: ConsoleRole, at now: Date) -> ConsoleSession {
        let session = ConsoleSession(token: Self.randomToken(), user: user, role: role, csrfToken: Self.randomToken(), lastSeen: now)
        sessions.withLock { $0[session.token] = session }
        return session
    }

    /// The session for `token`, its idle clock restarted; an idle one is ended here.
    public func resume(_ token: String, at now: Date) -> Resumption {
        sessions.withLock { all in
            guard var session = all[token] else { return .unknown }
            if now.timeIntervalSince(session.lastSeen) >= idleSeconds {
                all[token] = nil
                return .expired(session)
            }
            session.lastSeen = now
            all[token] = session
            return .active(session)
        }
    }

    public func end(_ token: String) {
        _ = sessions.withLock { $0.removeValue(forKey: token) }
    }

    /// 256 bits from the system's CSPRNG, as hex (valid in a cookie and a header).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}

/// Compares secrets in time independent of where they first differ.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<x.count { difference |= x[i] ^ y[i] }
    return difference == 0
}
