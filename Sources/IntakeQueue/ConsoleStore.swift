import Foundation

/// What the operator console keeps beside the queue: its users, the append-only audit log, and the
/// corrections people make to the machine's readings.
///
/// Synchronous and thread-safe like `QueueStore`. Audit entries and corrections are never updated or
/// deleted: the database refuses it (triggers), so a bug or a hand-run UPDATE cannot rewrite history.
public protocol ConsoleStore: Sendable {
    /// Adds a user; refuses a name already taken with `.userExists`.
    func addUser(_ user: ConsoleUser) throws(QueueStoreError)

    func user(named name: String) throws(QueueStoreError) -> ConsoleUser?

    /// Every user, by name.
    func users() throws(QueueStoreError) -> [ConsoleUser]

    /// Records a login attempt and its audit entry in one transaction.
    ///
    /// A failure counts towards `lockout.failures`; reaching it locks the account until `at + lockout.seconds`
    /// (audited as `locked_out`). A success resets the count. An unknown name is audited as a failure and
    /// returns nil. The caller decides whether the password matched and whether the account is locked.
    @discardableResult
    func recordLogin(name: String, succeeded: Bool, at: Date, lockout: LockoutPolicy) throws(QueueStoreError) -> ConsoleUser?

    /// Appends one audit entry.
    @discardableResult
    func appendAudit(_ entry: NewAuditEntry) throws(QueueStoreError) -> AuditEntry

    /// Audit entries, oldest first.
    func auditEntries(_ filter: AuditFilter) throws(QueueStoreError) -> [AuditEntry]

    /// Settles one field (or checkbox group) of a queued item: accepted as read, or corrected.
    ///
    /// In one transaction: the field is no longer flagged, the correction (machine reading, person's value,
    /// who, when) is kept, the change is audited, and when no field or group is left flagged the item
    /// becomes `.verified` (its `needs_review` flag dropped, a history entry naming the person).
    func settleField(
        id: ItemID, name: String, decision: FieldDecision, by user: String, at: Date
    ) throws(QueueStoreError) -> FieldSettlement

    /// The corrections made to one item, oldest first.
    func corrections(item: ItemID) throws(QueueStoreError) -> [FieldCorrection]

    /// One page of matching items in queue order, with the total that match, counted in SQL.
    func page(_ query: ItemQuery) throws(QueueStoreError) -> ItemPage

    /// Queued items still flagged `needs_review`, in queue order, at most `limit`: the group verification screen's pool.
    func itemsNeedingReview(limit: Int) throws(QueueStoreError) -> [QueueItem]
}

/// What a console user may do; each role includes the ones below it.
public enum ConsoleRole: String, CaseIterable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// Verifies fields.
    case reviewer
    /// Also reprocesses failed items.
    case `operator`
    /// Also manages users and reads the audit log.
    case admin

    private var rank: Int {
        switch self {
        case .reviewer: 0
        case .operator: 1
        case .admin: 2
        }
    }

    public static func < (lhs: ConsoleRole, rhs: ConsoleRole) -> Bool { lhs.rank < rhs.rank }

    /// True when this role may do what `needed` may.
    public func includes(_ needed: ConsoleRole) -> Bool { self >= needed }

    public var description: String { rawValue }
}

/// A person who logs in to the console. The password is kept only as its bcrypt hash.
public struct ConsoleUser: Hashable, Sendable, Codable {
    public var name: String
    public var role: ConsoleRole
    public var passwordHash: String
    public var createdAt: Date
    /// Failed logins since the last success or lockout.
    public var failedLogins: Int
    public var lockedUntil: Date?

    public init(name: String, role: ConsoleRole, passwordHash: String, createdAt: Date, failedLogins: Int = 0, lockedUntil: Date? = nil) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.failedLogins = failedLogins
        self.lockedUntil = lockedUntil
    }

    /// True while a lockout runs at `now`.
    public func isLocked(at now: Date) -> Bool {
        lockedUntil.map { now < $0 } ?? false
    }
}

/// How many failed logins lock an account, and for how long.
public struct LockoutPolicy: Hashable, Sendable {
    public var failures: Int
    public var seconds: TimeInterval

    public init(failures: Int, seconds: TimeInterval) {
        self.failures = failures
        self.seconds = seconds
    }
}

/// What an audit entry records; HIPAA's audit controls ask for who viewed, changed and did what.
public enum AuditAction: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    case login
    case loginFailed = "login_failed"
    case lockedOut = "locked_out"
    case logout
    case idleLogoff = "idle_logoff"
    case viewItem = "view_item"
    case viewPage = "view_page"
    case viewCrop = "view_crop"
    case acceptField = "accept_field"
    case correctField = "correct_field"
    case verifyItem = "verify_item"
    case reprocess
    case addUser = "add_user"
    case viewAudit = "view_audit"

    public var description: String { rawValue }
}

/// An audit entry to append; the store stamps its id.
public struct NewAuditEntry: Hashable, Sendable {
    public var at: Date
    public var user: String
    public var action: AuditAction
    public var item: ItemID?
    /// What, without PHI: a field's name, a page number, an outcome.
    public var detail: String

    public init(at: Date, user: String, action: AuditAction, item: ItemID? = nil, detail: String = "") {
        self.at = at
        self.user = user
        self.action = action
        self.item = item
        self.detail = detail
    }
}

/// One stored audit entry.
public struct AuditEntry: Hashable, Sendable, Codable {
    public var id: Int64
    public var at: Date
    public var user: String
    public var action: AuditAction
    public var item: ItemID?
    public var detail: String

    public init(id: Int64, at: Date, user: String, action: AuditAction, item: ItemID?, detail: String) {
        self.id = id
        self.at = at
        self.user = user
        self.action = action
        self.item = item
        self.detail = detail
    }
}

/// Which audit entries to read; nil properties don't filter.
public struct AuditFilter: Hashable, Sendable {
    public var user: String?
    public var item: ItemID?
    /// Inclusive lower bound on `at`.
    public var since: Date?
    /// The newest `limit` entries (still oldest first); nil: all.
    public var limit: Int?

    public init(user: String? = nil, item: ItemID? = nil, since: Date? = nil, limit: Int? = nil) {
        self.user = user
        self.item = item
        self.since = since
        self.limit = limit
    }
}

/// How a person settles a flagged field.
public enum FieldDecision: Hashable, Sendable {
    /// The machine's reading is right.
    case accept
    /// A field's new value, already validated by the caller (the store does not know the form's rules).
    case correct(StoredField)
    /// A checkbox group's options as the person reads them.
    case select([String])
}

/// A person's decision on one field, kept forever beside the machine's reading.
public struct FieldCorrection: Hashable, Sendable, Codable {
    public var id: Int64
    public var item: ItemID
    public var field: String
    public var machineValue: String
    public var personValue: String
    /// True when the person accepted the reading as it was.
    public var accepted: Bool
    public var user: String
    public var at: Date

    public init(id: Int64, item: ItemID, field: String, machineValue: String, personValue: String, accepted: Bool, user: String, at: Date) {
        self.id = id
        self.item = item
        self.field = field
        self.machineValue = machineValue
        self.personValue = personValue
        self.accepted = accepted
        self.user = user
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case id, item, field, accepted, user, at
        case machineValue = "machine_value"
        case personValue = "person_value"
    }
}

/// The item after a field was settled, and whether that verified it.
public struct FieldSettlement: Hashable, Sendable {
    public var item: QueueItem
    public var correction: FieldCorrection
    /// True when this decision settled the item's last flagged field.
    public var verified: Bool

    public init(item: QueueItem, correction: FieldCorrection, verified: Bool) {
        self.item = item
        self.correction = correction
        self.verified = verified
    }
}

/// A filtered, paginated listing for the console.
public struct ItemQuery: Hashable, Sendable {
    public var route: String?
    public var status: ItemStatus?
    public var flag: ItemFlag?
    /// 0-based.
    public var offset: Int
    public var limit: Int

    public init(route: String? = nil, status: ItemStatus? = nil, flag: ItemFlag? = nil, offset: Int = 0, limit: Int = 50) {
        self.route = route
        self.status = status
        self.flag = flag
        self.offset = offset
        self.limit = limit
    }
}

/// One page of items and how many match in all.
public struct ItemPage: Hashable, Sendable {
    public var items: [QueueItem]
    public var total: Int

    public init(items: [QueueItem], total: Int) {
        self.items = items
        self.total = total
    }
}
