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
