/// A name read from a form, spelled as the plan's data has it once the two agree.
///
/// The roster or directory entry is identified by other fields (a member's id and birth date, a provider's
/// NPI); a name that agrees with it within OCR confusions ("Mogre" for "Moore", "Wel" for "Wei") is that
/// entry's name misread, so the field takes the file's spelling, in the order and shape the form wrote it.
public enum NameSpelling {
    /// A person's name as the form wrote it ("Last, First", "First Last" or "Last First", a credential after a
    /// comma) with each name word spelled as on file; nil when the reading does not agree word for word or has
    /// another shape (middle names, initials), which is left as read.
    ///
    /// `credential` is the one on file ("PA-C"): it replaces the credential read only where the two have
    /// the same letters ("PA C"); a different credential stays as read.
    public static func person(_ read: String, lastName: String, firstName: String, credential: String? = nil) -> String? {
        let trimmed = read.trimmingBlanks()
        let head: Substring, tail: Substring?
        if let comma = trimmed.firstIndex(of: ",") {
            head = trimmed[..<comma]
            tail = trimmed[trimmed.index(after: comma)...]
        } else {
            head = trimmed[...]
            tail = nil
        }
        func words(_ s: Substring) -> [Substring] { s.split(whereSeparator: \.isWhitespace) }
        func agrees(_ word: Substring, _ onFile: String) -> Bool {
            let letters = PersonName.letters(String(word)), file = PersonName.letters(onFile)
            return !file.isEmpty && PersonName.similar(read: letters, roster: file)
        }
        // Case as written, word by word: forms print the last name in capitals ("ANDERSON, Mary").
        func spelled(_ s: String, as word: Substring) -> String {
            word.contains(where: \.isLetter) && !word.contains(where: \.isLowercase) ? s.uppercased() : s
        }
        let headWords = words(head)
        // "Last, First" (a credential may follow a second comma).
        if let tail, headWords.count == 1, agrees(headWords[0], lastName) {
            let parts = tail.split(separator: ",", maxSplits: 1)
            let firstWords = parts.first.map(words) ?? []
            guard firstWords.count == 1, agrees(firstWords[0], firstName) else { return nil }
            var out = "\(spelled(lastName, as: headWords[0])), \(spelled(firstName, as: firstWords[0]))"
            if parts.count > 1 { out += ", " + credentialSpelled(parts[1], onFile: credential) }
            return out
        }
        // "First Last" or "Last First", a credential after the comma.
        guard headWords.count == 2 else { return nil }
        var out: String
        if agrees(headWords[0], firstName), agrees(headWords[1], lastName) {
            out = "\(spelled(firstName, as: headWords[0])) \(spelled(lastName, as: headWords[1]))"
        } else if agrees(headWords[0], lastName), agrees(headWords[1], firstName) {
            out = "\(spelled(lastName, as: headWords[0])) \(spelled(firstName, as: headWords[1]))"
        } else {
            return nil
        }
        if let tail { out += ", " + credentialSpelled(tail, onFile: credential) }
        return out
    }

    /// The credential as on file when its letters are the ones read; otherwise as read.
    static func credentialSpelled(_ read: Substring, onFile: String?) -> String {
        let asRead = String(read).trimmingBlanks()
        guard let onFile, !onFile.isEmpty else { return asRead }
        let readLetters = asRead.filter { $0.isLetter }.uppercased(), fileLetters = onFile.filter { $0.isLetter }.uppercased()
        return readLetters == fileLetters ? onFile : asRead
    }

    /// An individual provider's name as the form wrote it, spelled as the directory has it
    /// ("Last, First, Credential" on file); an organization's name as on file. Nil when they do not agree.
    public static func provider(_ read: String, _ provider: Provider) -> String? {
        // A couple of letters misread across an organization's whole name ("amd" for and: a short word,
        // with no tolerance of its own) is still this name.
        if provider.kind == .organization, nearlySame(read, provider.name) { return provider.name }
        guard ProviderMatcher.nameAgrees(read, with: provider) else { return nil }
        switch provider.kind {
        case .organization:
            // Word for word only: "and" for "&", or a word the form leaves out, is how the form names it.
            let readWords = read.split(whereSeparator: \.isWhitespace), fileWords = provider.name.split(whereSeparator: \.isWhitespace)
            guard readWords.count == fileWords.count else { return nil }
            for (r, f) in zip(readWords, fileWords) {
                let rl = PersonName.letters(String(r)), fl = PersonName.letters(String(f))
                guard rl.count == r.count, fl.count == f.count, PersonName.similar(read: rl, roster: fl) else { return nil }
            }
            return provider.name
        case .individual:
            let parts = provider.name.split(separator: ",", maxSplits: 2).map { String($0).trimmingBlanks() }
            guard parts.count >= 2 else { return nil }
            return person(read, lastName: parts[0], firstName: parts[1], credential: parts.count > 2 ? parts[2] : nil)
        }
    }

    /// A street address as the directory has it, when the reading differs from it by no more than a
    /// couple of letters: the same words, every number (house, ZIP) exactly as on file, and at most two
    /// letters changed, lost or added, one in ten at most ("5962 Lake 81, Louisville" for "5962 Lake St,
    /// Louisville"; "indianapolis"). Nil otherwise, and the reading stands.
    public static func address(_ read: String, onFile: String) -> String? {
        nearlySame(read, onFile) ? onFile : nil
    }

    /// The same words, the numbers on file exactly where the file has them, and at most two other characters
    /// different (and no more than one in ten), case aside.
    static func nearlySame(_ read: String, _ onFile: String) -> Bool {
        let readWords = read.split(whereSeparator: \.isWhitespace), fileWords = onFile.split(whereSeparator: \.isWhitespace)
        guard !fileWords.isEmpty, readWords.count == fileWords.count else { return false }
        var differences = 0, length = 0
        for (r, f) in zip(readWords, fileWords) {
            // A number is what identifies the place: it must be read exactly.
            if f.contains(where: \.isNumber), r != f { return false }
            let a = Array(r.lowercased()), b = Array(f.lowercased())
            differences += OCRConfusions.editDistance(a, b)
            length += b.count
        }
        return differences <= min(2, length / 10)
    }
}
