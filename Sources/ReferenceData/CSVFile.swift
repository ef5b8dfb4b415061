#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole CSV file in memory, parsed in one pass over its bytes: RFC 4180 quotes (a `""` inside a quoted
/// field is one quote, and a quoted field may hold commas and line breaks), LF or CRLF line ends, a UTF-8
/// byte-order mark, blank lines skipped. Fields are handed out as byte ranges, so a million-row roster
/// costs one String per kept value and nothing per date.
struct CSVFile {
    let path: String
    let bytes: [UInt8]
    let header: [String]
    /// Where the first data row starts, and its line number.
    private let bodyStart: Int
    private let bodyLine: Int

    static func open(_ path: String) throws(ReferenceError) -> CSVFile {
        let bytes = try readWholeFile(path)
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        var header: [String]? = nil
        var next = start, nextLine = 1
        try bytes.withUnsafeBufferPointer { (buffer) throws(ReferenceError) in
            var scanner = Scanner(buffer: buffer, path: path, position: start, line: 1)
            if try scanner.nextRecord() {
                header = (0..<scanner.fields.count).map {
                    scanner.string(at: $0).trimmingBlanks()
                }
            }
            next = scanner.position
            nextLine = scanner.line
        }
        guard let header else { throw ReferenceError(file: path, line: 1, problem: .noHeader) }
        return CSVFile(path: path, bytes: bytes, header: header, bodyStart: next, bodyLine: nextLine)
    }

    private init(path: String, bytes: [UInt8], header: [String], bodyStart: Int, bodyLine: Int) {
        self.path = path
        self.bytes = bytes
        self.header = header
        self.bodyStart = bodyStart
        self.bodyLine = bodyLine
    }

    /// The index of a configured column; a header without it is the administrator's to fix, so it names both.
    func column(_ name: String) throws(ReferenceError) -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw ReferenceError(file: path, line: 1, column: name, problem: .missingColumn)
        }
        return index
    }

    /// Calls `body` once per data row, in file order.
    func forEachRow(_ body: (Row) throws(ReferenceError) -> Void) throws(ReferenceError) {
        let expected = header.count
        let path = self.path
        try bytes.withUnsafeBufferPointer { (buffer) throws(ReferenceError) in
            var scanner = Scanner(buffer: buffer, path: path, position: bodyStart, line: bodyLine)
            while true {
                guard try scanner.nextRecord() else { break }
                guard scanner.fields.count == expected else {
                    throw ReferenceError(file: path, line: scanner.recordLine, problem: .wrongFieldCount(expected: expected, found: scanner.fields.count))
                }
                try body(Row(scanner: scanner))
            }
        }
    }

    /// One data row: its line (where it starts) and its fields as bytes.
    struct Row {
        fileprivate let scanner: Scanner
        var line: Int { scanner.recordLine }
        func string(_ index: Int) -> String { scanner.string(at: index) }
        /// The field trimmed of surrounding spaces; for the roster's keys and codes.
        func trimmed(_ index: Int) -> String { scanner.string(at: index).trimmingBlanks() }
        /// The raw bytes of an unquoted-or-simply-quoted field, for parsing without a String.
        func withBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
            let f = scanner.fields[index]
            if f.escapedQuotes {
                var s = scanner.string(at: index)
                return s.withUTF8 { body($0) }
            }
            return body(UnsafeBufferPointer(rebasing: scanner.buffer[f.start..<f.end]))
        }
        func isEmpty(_ index: Int) -> Bool {
            let f = scanner.fields[index]
            var i = f.start
            while i < f.end { if scanner.buffer[i] != 0x20 && scanner.buffer[i] != 0x09 { return false }; i += 1 }
            return true
        }
    }

    /// Field boundaries inside the buffer; a quoted field's range excludes its quotes.
    fileprivate struct Field {
        var start: Int
        var end: Int
        var escapedQuotes: Bool
    }

    fileprivate struct Scanner {
        let buffer: UnsafeBufferPointer<UInt8>
        let path: String
        var position: Int
        /// The line the scanner is on, and the line where the last record started.
        var line: Int
        var recordLine = 0
        var fields: [Field] = []

        init(buffer: UnsafeBufferPointer<UInt8>, path: String, position: Int, line: Int) {
            self.buffer = buffer
            self.path = path
            self.position = position
            self.line = line
            fields.reserveCapacity(16)
        }

        /// Reads the next non-blank record into `fields`; false at the end of the file.
        mutating func nextRecord() throws(ReferenceError) -> Bool {
            let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
            let count = buffer.count
            // Blank lines (a lone LF or CRLF) carry no record.
            while position < count, buffer[position] == lf || (buffer[position] == cr && position + 1 < count && buffer[position + 1] == lf) {
                position += buffer[position] == cr ? 2 : 1
                line += 1
            }
            guard position < count else { return false }
            recordLine = line
            fields.removeAll(keepingCapacity: true)
            while true {
                if position < count, buffer[position] == quote {
                    // Quoted: up to the closing quote; "" is an escaped quote; line breaks inside are data.
                    position += 1
                    let start = position
                    var escaped = false
                    while true {
                        guard position < count else {
                            throw ReferenceError(file: path, line: recordLine, column: nil, problem: .unterminatedQuote)
                        }
                        let b = buffer[position]
                        if b == quote {
                            if position + 1 < count, buffer[position + 1] == quote { escaped = true; position += 2; continue }
                            break
                        }
                        if b == lf { line += 1 }
                        position += 1
                    }
                    fields.append(Field(start: start, end: position, escapedQuotes: escaped))
                    position += 1
                    // Anything between the closing quote and the separator is tolerated as spaces only.
                    while position < count, buffer[position] == 0x20 { position += 1 }
                } else {
                    let start = position
                    while position < count {
                        let b = buffer[position]
                        if b == comma || b == lf || b == cr { break }
                        position += 1
                    }
                    fields.append(Field(start: start, end: position, escapedQuotes: false))
                }
                guard position < count else { return true }
                let b = buffer[position]
                if b == comma { position += 1; continue }
                if b == cr { position += 1; if position < count, buffer[position] == lf { position += 1 } } else if b == lf { position += 1 } else {
                    // Text after a closing quote: "abc"def — malformed.
                    throw ReferenceError(file: path, line: line, problem: .unterminatedQuote)
                }
                line += 1
                return true
            }
        }

        func string(at index: Int) -> String {
            let f = fields[index]
            let s = String(decoding: UnsafeBufferPointer(rebasing: buffer[f.start..<f.end]), as: UTF8.self)
            return f.escapedQuotes ? s.replacingOccurrences(of: "\"\"", with: "\"") : s
        }
    }
}

/// Reads a file whole with POSIX calls, so a failure carries the system's own reason (ENOENT, EACCES…).
func readWholeFile(_ path: String) throws(ReferenceError) -> [UInt8] {
    func failure() -> ReferenceError {
        ReferenceError(file: path, problem: .unreadable(reason: String(cString: strerror(errno))))
    }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw failure() }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw failure() }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
        throw ReferenceError(file: path, problem: .unreadable(reason: "not a regular file"))
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(max(Int(info.st_size), 0) + 1)
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw failure()
        }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
}

extension String {
    /// Without leading and trailing spaces and tabs (the only padding exports add around CSV values).
    func trimmingBlanks() -> String {
        guard let first = utf8.first, let last = utf8.last,
              first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09 else { return self }
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
