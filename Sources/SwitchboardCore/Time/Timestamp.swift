/// RFC 3339 / ISO 8601 UTC timestamps, formatted without Foundation's (slow, locale-aware) formatters.
public enum Timestamp {
    /// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SS[.fff]Z`, with `fractionDigits` (0...6) after the point.
    /// The fraction is rounded; with no fraction digits the second is truncated.
    public static func iso8601(_ epochSeconds: Double, fractionDigits: Int = 0) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        appendISO8601(epochSeconds, fractionDigits: fractionDigits, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `iso8601`'s text as UTF-8 bytes, without intermediate strings or libc's time-zone lock
    /// (log lines on every request).
    public static func appendISO8601(_ epochSeconds: Double, fractionDigits: Int, to out: inout [UInt8]) {
        let digits = min(max(fractionDigits, 0), 6)
        let scale = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000][digits]
        var whole = Int64(epochSeconds.rounded(.down))
        var units = digits == 0 ? 0 : Int(((epochSeconds - Double(whole)) * Double(scale)).rounded())
        if units >= scale { units = 0; whole += 1 }
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondOfDay = Int(whole - days * 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        appendDigits(year, 4, to: &out); out.append(0x2D)
        appendDigits(month, 2, to: &out); out.append(0x2D)
        appendDigits(day, 2, to: &out); out.append(0x54)
        appendDigits(secondOfDay / 3600, 2, to: &out); out.append(0x3A)
        appendDigits(secondOfDay / 60 % 60, 2, to: &out); out.append(0x3A)
        appendDigits(secondOfDay % 60, 2, to: &out)
        if digits > 0 { out.append(0x2E); appendDigits(units, digits, to: &out) }
        out.append(0x5A)
    }

    /// Proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant's `civil_from_days`).
    public static func civilDate(daysSinceEpoch: Int64) -> (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func appendDigits(_ value: Int, _ width: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = max(value, 0)
        if rest >= divisor * 10 { out.append(contentsOf: Array(String(rest).utf8)); return }
        while divisor > 0 {
            out.append(UInt8(48 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}

extension Timestamp {
    /// Parses RFC 3339 / ISO 8601 date-times to Unix seconds: `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]]`
    /// followed by `Z` or `±HH[:MM]` (no offset means UTC). Returns nil for anything else, including
    /// out-of-range fields (month 13, second 61).
    public static func parseISO8601(_ text: String) -> Double? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.digits(4), scanner.take(0x2D), let month = scanner.digits(2), scanner.take(0x2D),
              let day = scanner.digits(2) else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        var seconds = Double(daysSinceEpoch(year: year, month: month, day: day)) * 86_400
        if scanner.atEnd { return seconds }
        guard scanner.take(0x54) || scanner.take(0x74) || scanner.take(0x20),
              let hour = scanner.digits(2), scanner.take(0x3A), let minute = scanner.digits(2),
              hour < 24, minute < 60 else { return nil }
        seconds += Double(hour * 3600 + minute * 60)
        if scanner.take(0x3A) {
            guard let second = scanner.digits(2), second < 61 else { return nil }
            seconds += Double(min(second, 59))
            if scanner.take(0x2E) || scanner.take(0x2C) {
                var scale = 0.1
                var sawDigit = false
                while let digit = scanner.digit() {
                    seconds += Double(digit) * scale
                    scale /= 10
                    sawDigit = true
                }
                guard sawDigit else { return nil }
            }
        }
        if scanner.atEnd || scanner.take(0x5A) || scanner.take(0x7A) { return scanner.atEnd ? seconds : nil }
        let sign: Double
        if scanner.take(0x2B) { sign = 1 } else if scanner.take(0x2D) { sign = -1 } else { return nil }
        guard let offsetHours = scanner.digits(2), offsetHours < 24 else { return nil }
        var offsetMinutes = 0
        if scanner.take(0x3A) || !scanner.atEnd {
            guard let minutes = scanner.digits(2), minutes < 60 else { return nil }
            offsetMinutes = minutes
        }
        guard scanner.atEnd else { return nil }
        return seconds - sign * Double(offsetHours * 3600 + offsetMinutes * 60)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * monthIndex + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Days in `month` (1...12) of a proleptic Gregorian `year`.
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Reads fixed-width ASCII digits and single bytes from a buffer.
struct DigitScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func digit() -> Int? {
        guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { return nil }
        defer { index += 1 }
        return Int(bytes[index] - 0x30)
    }

    mutating func digits(_ count: Int) -> Int? {
        var value = 0
        for _ in 0..<count {
            guard let next = digit() else { return nil }
            value = value * 10 + next
        }
        return value
    }
}
