/// Where an NPI read from the form stands.
public enum NPIStatus: String, Sendable, Hashable {
    case notRead = "not_read"
    /// Not 10 digits, or the check digit fails (Luhn over 80840 + the first nine digits).
    case invalid
    case notInDirectory = "not_in_directory"
    case found
}

/// One attribute read from the form compared with the directory.
public enum AttributeCheck: String, Sendable, Hashable {
    case confirmed
    case disagrees
    /// Nothing was read on the form.
    case notRead = "not_read"
    /// The directory has no value (or no provider) to compare with.
    case notOnFile = "not_on_file"
}

/// The servicing provider's network status; `unknown` when its NPI is not in the directory.
public enum ServicingNetwork: String, Sendable, Hashable {
    case inNetwork = "in"
    case outOfNetwork = "out"
    case unknown
}

/// The form's "servicing provider in network?" checkbox group.
public enum InNetworkBox: String, Sendable, Hashable {
    case yes
    case no
    /// Neither ticked, or both.
    case none

    /// From the checkbox group's ticked options (e.g. `["yes"]`).
    public init(ticked: [String]) {
        let set = Set(ticked.map { $0.lowercased() })
        switch (set.contains("yes"), set.contains("no")) {
        case (true, false): self = .yes
        case (false, true): self = .no
        default: self = .none
        }
    }
}

/// The requesting provider's fields checked against the directory.
public struct RequestingProviderCheck: Sendable, Equatable {
    public var npi: NPIStatus
    public var provider: Provider?
    public var name: AttributeCheck
    public var tin: AttributeCheck
    public var phone: AttributeCheck
    public var fax: AttributeCheck
}

/// The servicing provider's network status, and whether the form's box disagrees with it.
public struct ServicingProviderCheck: Sendable, Equatable {
    public var npi: NPIStatus
    public var provider: Provider?
    public var network: ServicingNetwork
    public var box: InNetworkBox
    /// The box is ticked and says the opposite of the directory (flag `network_conflict`).
    public var conflict: Bool
}

/// Checks the form's provider fields against the plan's provider directory.
public struct ProviderMatcher: Sendable {
    public let directory: ProviderDirectory

    /// Credentials and titles that are not part of a person's name ("Kwame Martin, MD", "Dr. Lee").
    public static let credentials: Set<String> = [
        "MD", "DO", "PAC", "PA", "NP", "FNP", "APRN", "CNP", "RN", "DPM", "DDS", "DMD", "OD", "DC", "PHD", "PSYD",
        "LCSW", "LPC", "MSW", "PT", "DPT", "OT", "SLP", "CRNA", "FACP", "FACS", "MBBS", "DR", "MR", "MRS", "MS",
    ]
    /// Words that do not tell organizations apart.
    static let organizationNoise: Set<String> = ["THE", "AND", "INC", "LLC", "PLLC", "PC", "LLP", "CORP", "CO", "LTD"]

    public init(directory: ProviderDirectory) {
        self.directory = directory
    }

    /// True for 10 digits whose last is the Luhn check digit of 80840 + the first nine (the card-issuer prefix
    /// NPIs are defined under).
    public static func isValidNPI(_ npi: String) -> Bool {
        let digits = npi.compactMap(\.wholeNumberValue)
        guard digits.count == 10, npi.allSatisfy(\.isASCIIDigit) else { return false }
        let payload = [8, 0, 8, 4, 0] + digits[0..<9]
        var sum = 0
        // Doubling starts from the rightmost payload digit (the check digit's neighbour).
        for (offset, digit) in payload.reversed().enumerated() {
            if offset % 2 == 0 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return (10 - sum % 10) % 10 == digits[9]
    }

    func lookUp(_ npi: String?) -> (NPIStatus, Provider?) {
        let digits = (npi ?? "").filter { !$0.isWhitespace && $0 != "-" }
        guard !digits.isEmpty else { return (.notRead, nil) }
        guard ProviderMatcher.isValidNPI(digits) else { return (.invalid, nil) }
        guard let provider = directory.provider(npi: digits) else { return (.notInDirectory, nil) }
        return (.found, provider)
    }

    /// Compares the requesting provider's name (order, case and credentials forgiven), TIN, phone and fax
    /// (digits only) with the directory entry of its NPI.
    public func checkRequesting(npi: String?, name: String?, tin: String?, phone: String?, fax: String?) -> RequestingProviderCheck {
        let (status, provider) = lookUp(npi)
        func compare(_ read: String?, _ onFile: String?, _ same: (String, String) -> Bool) -> AttributeCheck {
            guard let read, !read.trimmingBlanks().isEmpty else { return .notRead }
            guard let onFile, !onFile.isEmpty else { return .notOnFile }
            return same(read, onFile) ? .confirmed : .disagrees
        }
        let phoneSame: (String, String) -> Bool = { ProviderMatcher.phoneDigits($0) == ProviderMatcher.phoneDigits($1) }
        return RequestingProviderCheck(
            npi: status, provider: provider,
            name: compare(name, provider?.name) { read, _ in provider.map { ProviderMatcher.nameAgrees(read, with: $0) } ?? false },
            tin: compare(tin, provider?.tin) { $0.filter(\.isASCIIDigit) == $1.filter(\.isASCIIDigit) },
            phone: compare(phone, provider?.phone, phoneSame),
            fax: compare(fax, provider?.fax, phoneSame))
    }

    /// The servicing provider's network status from the directory, and a conflict when the form's box says otherwise.
    public func checkServicing(npi: String?, box: InNetworkBox) -> ServicingProviderCheck {
        let (status, provider) = lookUp(npi)
        let network: ServicingNetwork
        switch provider?.network {
        case .inNetwork: network = .inNetwork
        case .outOfNetwork: network = .outOfNetwork
        case nil: network = .unknown
        }
        let conflict = (box == .yes && network == .outOfNetwork) || (box == .no && network == .inNetwork)
        return ServicingProviderCheck(npi: status, provider: provider, network: network, box: box, conflict: conflict)
    }

    /// A read name against a directory entry: individuals as a person's name ("Last, First, Credential" on
    /// file; any order, case and credentials read), organizations word for word with OCR confusions forgiven.
    public static func nameAgrees(_ read: String, with provider: Provider) -> Bool {
        switch provider.kind {
        case .individual:
            let parts = provider.name.split(separator: ",").map { String($0).trimmingBlanks() }
            let ignored = PersonName.suffixes.union(credentials)
            guard parts.count >= 2, let person = PersonName(read, dropping: ignored) else { return false }
            if person.agrees(lastName: parts[0], firstName: parts[1]) { return true }
            // "First Last, PA C": a credential misread into words that are no credential. The name before
            // the comma alone (one word before a comma, "Last, First", never agrees on its own).
            guard let comma = read.firstIndex(of: ","), let name = PersonName(String(read[..<comma]), dropping: ignored),
                  name.words.count >= 2 else { return false }
            return name.agrees(lastName: parts[0], firstName: parts[1])
        case .organization:
            func words(_ s: String) -> [Character] {
                let kept = s.uppercased().split { !$0.isLetter && !$0.isNumber && $0 != "&" }
                    .filter { !organizationNoise.contains(String($0)) && $0 != "&" }
                return Array(kept.joined())
            }
            let r = words(read), f = words(provider.name)
            return !r.isEmpty && PersonName.similar(read: r, roster: f)
        }
    }

    /// Digits of a US phone number, without a leading country code 1.
    static func phoneDigits(_ s: String) -> String {
        var d = s.filter(\.isASCIIDigit)
        if d.count == 11, d.hasPrefix("1") { d.removeFirst() }
        return d
    }
}
