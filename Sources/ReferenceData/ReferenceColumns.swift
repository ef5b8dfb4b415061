/// The header names of the roster and the directory, so a plan points FaxIntake at its own exports unchanged.
public struct ReferenceColumns: Sendable, Equatable {
    /// Columns of the member roster (eligibility export); defaults are those of `../shared/reference/members.csv`.
    public struct Members: Sendable, Equatable {
        public var memberID = "member_id"
        public var lastName = "last_name"
        public var firstName = "first_name"
        public var dateOfBirth = "date_of_birth"
        public var sex = "sex"
        public var plan = "plan"
        public var coverageStart = "coverage_start"
        public var coverageEnd = "coverage_end"
        public init() {}
    }

    /// Columns of the provider directory; defaults are those of `../shared/reference/providers.csv`.
    public struct Providers: Sendable, Equatable {
        public var npi = "npi"
        public var kind = "kind"
        public var name = "name"
        public var tin = "tin"
        public var phone = "phone"
        public var fax = "fax"
        public var address = "address"
        public var network = "network"
        public init() {}
    }

    public var members = Members()
    public var providers = Providers()
    public init() {}
}
