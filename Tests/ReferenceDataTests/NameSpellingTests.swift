import Testing
@testable import ReferenceData

/// Names read from a form, spelled as the plan's data has them once they agree.
@Suite struct NameSpellingTests {
    @Test("a misread letter takes the file's spelling, in the order and case the form wrote", arguments: [
        ("M0ore, Richard", "Moore, Richard"),
        ("Mogre, Richard", "Moore, Richard"),    // one edit, in a name of five letters or more
        ("Moore, Rlchard", "Moore, Richard"),
        ("Moore, Rxchxrd", nil),                 // two edits
        ("MOORE, Rlchard", "MOORE, Richard"),    // case as written: the form prints the last name in capitals
        ("Richard M0ore", "Richard Moore"),
        ("M0ore Richard", "Moore Richard"),
        ("Moore, Richard A", nil),               // a middle initial: another shape, left as read
        ("Mills, Richard", nil),                 // another person
    ] as [(String, String?)])
    func person(read: String, expected: String?) {
        #expect(NameSpelling.person(read, lastName: "Moore", firstName: "Richard") == expected)
    }

    @Test func aProvidersCredentialIsSpelledAsOnFileOnlyWhenItsLettersAgree() {
        let wei = Provider(npi: "2384098804", kind: .individual, name: "Taylor, Wei, PA-C", tin: nil, phone: nil, fax: nil,
                           address: nil, network: .inNetwork)
        #expect(NameSpelling.provider("Wel Taylor, PA C", wei) == "Wei Taylor, PA-C")
        #expect(NameSpelling.provider("Wei Taylor, MD", wei) == "Wei Taylor, MD")
        #expect(NameSpelling.provider("Wei Tyler, PA-C", wei) == nil)
    }

    @Test func anOrganizationIsSpelledAsOnFileWordForWordOnly() {
        let home = Provider(npi: "1497492896", kind: .organization, name: "Valley Home Health", tin: nil, phone: nil, fax: nil,
                            address: nil, network: .inNetwork)
        #expect(NameSpelling.provider("Va1ley Home Health", home) == "Valley Home Health")
        // Words the directory lacks are how the form names the site: left as read.
        #expect(NameSpelling.provider("Valley Home Health Inc", home) == nil)
    }

    @Test("an address is spelled as on file when a couple of letters differ and every number agrees", arguments: [
        ("5962 Lake 81, Louisville, KY 40240", "5962 Lake St, Louisville, KY 40240"),  // St in a rule's thick place
        ("5962 Lake St, louisville, KY 40240", "5962 Lake St, Louisville, KY 40240"),  // case alone
        ("5962 Lake St, Louisville, KY 40240", "5962 Lake St, Louisville, KY 40240"),
        ("5962 Lake St, Loulsvllle, KY 40240", "5962 Lake St, Louisville, KY 40240"),  // two letters
        ("5962 Lako Sl, Loulsville, KY 40240", nil),                                   // three: another reading
        ("5982 Lake St, Louisville, KY 40240", nil),                                   // another house
        ("5962 Lake St, Louisville, KY 40246", nil),                                   // another ZIP
        ("5962 Lake St, Suite 4, Louisville, KY 40240", nil),                          // words the file lacks
        ("", nil),
    ] as [(String, String?)])
    func address(read: String, expected: String?) {
        #expect(NameSpelling.address(read, onFile: "5962 Lake St, Louisville, KY 40240") == expected)
    }

    @Test func anOrganizationsNameForgivesAShortWordsMisreadLetter() {
        let site = Provider(npi: "1497492890", kind: .organization, name: "Lakeside Rehabilitation and Nursing", tin: nil, phone: nil,
                            fax: nil, address: nil, network: .inNetwork)
        #expect(NameSpelling.provider("Lakeside Rehabilitation amd Nursing", site) == "Lakeside Rehabilitation and Nursing")
        #expect(NameSpelling.provider("Lakeside Rehabilitation of Nursing", site) == nil)
    }
}
