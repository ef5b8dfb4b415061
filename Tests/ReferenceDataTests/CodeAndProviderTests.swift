import Foundation
import ReferenceData
import Testing

/// ICD-10-CM as installed by scripts/setup.sh, and the diagnosis check.
@Suite struct ICD10CMTests {
    let codes = Shared.icd10cm

    @Test func codesExistWithOrWithoutTheDot() {
        #expect(codes.contains("N62"))
        #expect(codes.isBillable("N62"))
        #expect(codes.contains("R26.81"))
        #expect(codes.isBillable("R26.81"))
        #expect(codes.isBillable("R2681"))
        #expect(codes.isBillable("r26.81"))
        #expect(codes.description(of: "R2681") == "Unsteadiness on feet")
        #expect(codes.description(of: "N62") == "Hypertrophy of breast")
        #expect(codes.code("r2681")?.code == "R26.81")
    }

    @Test func categoriesAreNotBillableAndBlocksAreNotCodes() {
        #expect(codes.contains("R26"))
        #expect(!codes.isBillable("R26"))
        #expect(!codes.contains("A00-A09"))
        #expect(!codes.contains("1"))
        #expect(!codes.contains("R26.99"))
    }

    @Test func seventhCharacterExtensions() {
        #expect(codes.isBillable("S72.001A"))
        #expect(!codes.isBillable("S72.001"))
        #expect(codes.description(of: "S72001A") == "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture")
        #expect(codes.isBillable("S00.00XA"))
        #expect(!codes.contains("S00.00A"))
    }

    @Test func theFolderMustHoldTheFiles() {
        let folder = TemporaryFolder()
        do {
            _ = try ICD10CM.load(folder: folder.path)
            Issue.record("loaded an empty folder")
        } catch {
            #expect(error.file == folder.path)
            #expect(error.problem == .missingFile(pattern: "code-list-*.txt"))
        }
        folder.write("code-list-2026.txt", "A00\n")
        folder.write("icd10cm-tabular-2026.xml", "<ICD10CM.tabular><chapter><diag><name>A00</name></chapter>")
        do {
            _ = try ICD10CM.load(folder: folder.path)
            Issue.record("loaded malformed XML")
        } catch {
            #expect(error.file.hasSuffix("icd10cm-tabular-2026.xml"))
            #expect(error.line == 1)
            #expect(error.column != nil)
            #expect(error.description.contains("not well-formed XML"), "\(error)")
        }
    }

    @Test func aConfusionIsCorrectedWhenUniqueAndDescribedAlike() {
        let check = DiagnosisCheck(codeSet: codes)
        let gait = check.check(code: "R2G.81", narrative: "Unsteadiness on feet")
        #expect(gait.code == "R26.81")
        #expect(gait.correctedFrom == "R2G.81")
        #expect(gait.status == .billable)
        #expect(gait.correctionNote == "diagnosis code corrected from ICD-10-CM (R2G.81 → R26.81)")
        let breast = check.check(code: "N6Z", narrative: "Hypertrophy of breast")
        #expect(breast.code == "N62")
        #expect(breast.correctedFrom == "N6Z")
        // A missing dot is no error at all.
        #expect(check.check(code: "R2681", narrative: "Unsteadiness on feet").correctedFrom == nil)
        #expect(check.check(code: "R2681", narrative: "Unsteadiness on feet").code == "R26.81")
    }

    @Test func noCorrectionAgainstTheNarrative() {
        let check = DiagnosisCheck(codeSet: codes)
        let other = check.check(code: "R2G.81", narrative: "Pneumonia")
        #expect(other.correctedFrom == nil)
        #expect(other.status == .unknown)
        #expect(other.candidates == ["R26.81"])
    }

    @Test func withNoNarrativeToJudgeByTheOneBillableVariantIsTaken() {
        // A second or third code: the narrative describes the first. The caller sends it to a person.
        let check = DiagnosisCheck(codeSet: codes)
        #expect(check.check(code: "N6Z", narrative: nil).code == "N62")
        #expect(check.check(code: "N1B.6", narrative: nil).code == "N18.6")
        #expect(check.check(code: "N1B.6", narrative: nil).correctedFrom == "N1B.6")
        // Still never when two variants are billable.
        #expect(check.check(code: "C78.O0", narrative: nil).correctedFrom == nil)
    }

    @Test func oneDigitAFaxConfusesTakesTheFilesDigit() {
        #expect(OCRConfusions.oneConfusedDigit(read: "38-7068486", onFile: "38-2068486") == "38-2068486")
        // The reading's own punctuation stays.
        #expect(OCRConfusions.oneConfusedDigit(read: "(823) 708-1998", onFile: "823-208-1998") == "(823) 208-1998")
        #expect(OCRConfusions.oneConfusedDigit(read: "38-2068486", onFile: "38-2068486") == nil)      // agrees
        #expect(OCRConfusions.oneConfusedDigit(read: "38-3068486", onFile: "38-2068486") == nil)      // 3 for 2: no confusion
        #expect(OCRConfusions.oneConfusedDigit(read: "38-7068436", onFile: "38-2068486") == nil)      // two digits
        #expect(OCRConfusions.oneConfusedDigit(read: "38-206848", onFile: "38-2068486") == nil)       // one lost
    }

    @Test func noCorrectionWhenTwoCodesAreBillable() {
        // C78.O0 is one confusion from both C78.00 and C7B.00, both billable: not unique, whatever the narrative.
        let r = DiagnosisCheck(codeSet: codes).check(code: "C78.O0", narrative: "Secondary malignant neoplasm of unspecified lung")
        #expect(r.correctedFrom == nil)
        #expect(Set(r.candidates) == ["C78.00", "C7B.00"])
    }

    @Test func theNarrativeIsCrossChecked() {
        let check = DiagnosisCheck(codeSet: codes)
        #expect(check.check(code: "M17.11", narrative: "Unilateral primary osteoarthritis, right knee").narrative == .agrees)
        #expect(check.check(code: "M17.12", narrative: "Unilateral primary osteoarthritis, right knee").narrative == .disagrees)
        #expect(check.check(code: "I21.4", narrative: "Non-ST elevation myocardial infarction").narrative == .agrees)
        #expect(check.check(code: "L91.0", narrative: "Hypertrophic scar").narrative == .agrees)
        #expect(check.check(code: "L91.0", narrative: "Heart failure").narrative == .disagrees)
        #expect(check.check(code: "L91.0", narrative: "").narrative == .noNarrative)
        #expect(check.check(code: "R26", narrative: "Abnormal gait").status == .notBillable)
    }

    /// Every diagnosis code of both corpora's truth is billable, and code 1 agrees with its narrative.
    @Test func corpusTruthCodesAreBillable() throws {
        let check = DiagnosisCheck(codeSet: codes)
        let expected = try Shared.json("reference/expected.json")
        for key in expected.keys.sorted() {
            let corpus = key.split(separator: "/")[0], stem = key.split(separator: "/")[1].split(separator: ".")[0]
            let fields = try Shared.json("\(corpus)/\(stem).truth.json")["fields"] as! [String: String]
            for n in 1...3 {
                guard let code = fields["diagnosis_code_\(n)"], !code.isEmpty else { continue }
                let r = check.check(code: code, narrative: n == 1 ? fields["diagnosis_narrative"] : nil)
                #expect(r.status == .billable, "\(key) \(code)")
                if n == 1 { #expect(r.narrative == .agrees, "\(key) \(code): \(fields["diagnosis_narrative"] ?? "")") }
            }
        }
    }
}

/// The provider checks on drawn cases.
@Suite struct ProviderMatcherTests {
    @Test func npiCheckDigit() {
        #expect(ProviderMatcher.isValidNPI("1234567893"))  // CMS's published example
        #expect(!ProviderMatcher.isValidNPI("1234567890"))
        #expect(!ProviderMatcher.isValidNPI("123456789"))
        #expect(ProviderMatcher.isValidNPI("1416854978"))
    }

    @Test func requestingProviderAttributes() throws {
        let folder = TemporaryFolder()
        let path = folder.write("providers.csv", """
            npi,kind,name,tin,phone,fax,address,network
            1234567893,individual,"Martin, Kwame, MD",12-3456789,846.713.4675,(292) 891-9618,,in
            1416854978,organization,Premier Imaging Associates,,,,"1 Main St, Dayton, OH 45402",out

            """)
        let matcher = ProviderMatcher(directory: try ProviderDirectory.load(path: path, columns: .init()))
        let r = matcher.checkRequesting(npi: "1234567893", name: "KWAME MARTIN, M.D.", tin: "123456789",
                                        phone: "1 (846) 713-4675", fax: "292-891-9610")
        #expect(r.npi == .found)
        #expect(r.name == .confirmed)
        #expect(r.tin == .confirmed)
        #expect(r.phone == .confirmed)
        #expect(r.fax == .disagrees)
        #expect(matcher.checkRequesting(npi: "1234567893", name: "Dr. Martin Kwame", tin: nil, phone: "", fax: nil).name == .confirmed)
        let other = matcher.checkRequesting(npi: "1234567893", name: "Karen Martin, MD", tin: nil, phone: nil, fax: nil)
        #expect(other.name == .disagrees)
        #expect(other.tin == .notRead)
        #expect(matcher.checkRequesting(npi: "1234567890", name: nil, tin: nil, phone: nil, fax: nil).npi == .invalid)
        #expect(matcher.checkRequesting(npi: "1245319599", name: nil, tin: nil, phone: nil, fax: nil).npi == .notInDirectory)
        let org = matcher.checkRequesting(npi: "1416854978", name: "PREMIER IMAGING ASSOCIATES, INC.", tin: "12-3456789", phone: nil, fax: nil)
        #expect(org.name == .confirmed)
        #expect(org.tin == .notOnFile)
    }

    @Test func servicingNetworkAndConflict() throws {
        let matcher = ProviderMatcher(directory: Shared.directory)
        let out = matcher.checkServicing(npi: "1416854978", box: .yes)
        #expect(out.network == .outOfNetwork)
        #expect(out.conflict)
        #expect(!matcher.checkServicing(npi: "1416854978", box: .no).conflict)
        #expect(!matcher.checkServicing(npi: "1416854978", box: .none).conflict)
        let unknown = matcher.checkServicing(npi: "1245319599", box: .yes)
        #expect(unknown.network == .unknown)
        #expect(!unknown.conflict)
        #expect(InNetworkBox(ticked: ["yes", "no"]) == .none)
        #expect(InNetworkBox(ticked: ["no"]) == .no)
    }
}
