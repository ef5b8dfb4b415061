import Foundation

/// A calendar day without time or time zone, so that coverage and birth dates compare as days.
public struct DayDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// yyyymmdd as one number: ordered like the days, and 4 bytes per date in a million-row roster.
    public let rawValue: Int32

    public var year: Int { Int(rawValue / 10_000) }
    public var month: Int { Int(rawValue / 100 % 100) }
    public var day: Int { Int(rawValue % 100) }

    /// nil when the day does not exist (2026-02-30) or the year is outside 1800–2199.
    public init?(year: Int, month: Int, day: Int) {
        guard (1800...2199).contains(year), (1...12).contains(month), day >= 1,
              day <= DayDate.daysIn(month: month, year: year) else { return nil }
        rawValue = Int32(year * 10_000 + month * 100 + day)
    }

    /// Parses `YYYY-MM-DD` (the roster's form) or `MM/DD/YYYY` (the form's), surrounding spaces ignored.
    public init?(_ text: String) {
        var text = text
        let parsed: DayDate? = text.withUTF8 { DayDate(bytes: $0) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Today in the given time zone (the plan's local day by default).
    public static func today(in timeZone: TimeZone = .current, now: Date = Date()) -> DayDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        return DayDate(year: c.year!, month: c.month!, day: c.day!)!
    }

    public var description: String {
        let y = String(year), m = month < 10 ? "0\(month)" : "\(month)", d = day < 10 ? "0\(day)" : "\(day)"
        return "\(y)-\(m)-\(d)"
    }

    public static func < (a: DayDate, b: DayDate) -> Bool { a.rawValue < b.rawValue }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Byte-level parse for the CSV loader, which must not build a String per date.
    init?(bytes: UnsafeBufferPointer<UInt8>) {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 { end -= 1 }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for i in from..<(from + count) {
                let b = bytes[i]
                guard b >= 0x30, b <= 0x39 else { return nil }
                value = value * 10 + Int(b - 0x30)
            }
            return value
        }
        let n = end - start
        if n == 10, bytes[start + 4] == 0x2D, bytes[start + 7] == 0x2D,
           let y = number(start, 4), let m = number(start + 5, 2), let d = number(start + 8, 2) {
            self.init(year: y, month: m, day: d)
        } else if n == 10, bytes[start + 2] == 0x2F, bytes[start + 5] == 0x2F,
                  let m = number(start, 2), let d = number(start + 3, 2), let y = number(start + 6, 4) {
            self.init(year: y, month: m, day: d)
        } else {
            return nil
        }
    }
}
