/// Whether a provider is an individual practitioner or an organization (NPI entity types 1 and 2).
public enum ProviderKind: String, Sendable, Hashable {
    case individual
    case organization
}

/// A provider's network status in the directory.
public enum Network: String, Sendable, Hashable {
    case inNetwork = "in"
    case outOfNetwork = "out"
}

/// One provider in the plan's directory.
public struct Provider: Sendable, Hashable {
    public var npi: String
    public var kind: ProviderKind
    /// Individuals as "Last, First, Credential"; organizations as named.
    public var name: String
    /// nil when the directory has none.
    public var tin: String?
    public var phone: String?
    public var fax: String?
    public var address: String?
    public var network: Network

    public init(npi: String, kind: ProviderKind, name: String, tin: String?, phone: String?, fax: String?,
                address: String?, network: Network) {
        self.npi = npi
        self.kind = kind
        self.name = name
        self.tin = tin
        self.phone = phone
        self.fax = fax
        self.address = address
        self.network = network
    }
}

/// The plan's provider directory, keyed by NPI.
public final class ProviderDirectory: Sendable {
    public let path: String
    public let providers: [Provider]
    private let byNPI: [String: Int]

    public var count: Int { providers.count }

    init(path: String, providers: [Provider], byNPI: [String: Int]) {
        self.path = path
        self.providers = providers
        self.byNPI = byNPI
    }

    /// The provider with this NPI (10 digits; separators in `npi` are ignored).
    public func provider(npi: String) -> Provider? {
        byNPI[String(npi.filter(\.isASCIIDigit))].map { providers[$0] }
    }

    /// Loads a directory; a missing column, an NPI that is not 10 digits, a repeated NPI, an unknown kind or
    /// network, or a wrong field count is an error naming the file, line and column.
    public static func load(path: String, columns: ReferenceColumns.Providers = .init()) throws(ReferenceError) -> ProviderDirectory {
        let csv = try CSVFile.open(path)
        let npiColumn = try csv.column(columns.npi)
        let kindColumn = try csv.column(columns.kind)
        let nameColumn = try csv.column(columns.name)
        let tinColumn = try csv.column(columns.tin)
        let phoneColumn = try csv.column(columns.phone)
        let faxColumn = try csv.column(columns.fax)
        let addressColumn = try csv.column(columns.address)
        let networkColumn = try csv.column(columns.network)

        var providers: [Provider] = []
        var byNPI: [String: Int] = [:]
        var lines: [Int] = []
        try csv.forEachRow { (row) throws(ReferenceError) in
            let npi = row.trimmed(npiColumn)
            guard npi.utf8.count == 10, npi.allSatisfy(\.isASCIIDigit) else {
                throw ReferenceError(file: path, line: row.line, column: columns.npi, problem: .badKey(value: npi))
            }
            if let existing = byNPI[npi] {
                throw ReferenceError(file: path, line: row.line, column: columns.npi,
                                     problem: .duplicateKey(value: npi, firstLine: lines[existing]))
            }
            let kindText = row.trimmed(kindColumn).lowercased()
            guard let kind = ProviderKind(rawValue: kindText) else {
                throw ReferenceError(file: path, line: row.line, column: columns.kind,
                                     problem: .badValue(value: kindText, allowed: ["individual", "organization"]))
            }
            let networkText = row.trimmed(networkColumn).lowercased()
            guard let network = Network(rawValue: networkText) else {
                throw ReferenceError(file: path, line: row.line, column: columns.network,
                                     problem: .badValue(value: networkText, allowed: ["in", "out"]))
            }
            func optional(_ column: Int) -> String? {
                let value = row.trimmed(column)
                return value.isEmpty ? nil : value
            }
            byNPI[npi] = providers.count
            lines.append(row.line)
            providers.append(Provider(npi: npi, kind: kind, name: row.trimmed(nameColumn), tin: optional(tinColumn),
                                      phone: optional(phoneColumn), fax: optional(faxColumn),
                                      address: optional(addressColumn), network: network))
        }
        return ProviderDirectory(path: path, providers: providers, byNPI: byNPI)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
