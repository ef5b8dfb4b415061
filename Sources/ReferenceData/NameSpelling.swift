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
}
