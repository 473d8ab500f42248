/// HTTP-date (RFC 9110 §5.6.7) to Unix seconds.
///
/// Accepts the preferred IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and, as recipients must, the
/// obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`) forms.
/// Names are case-sensitive as the grammar says; the day name must be a day name but is not checked
/// against the date. A leap second (`:60`) counts as `:59`. Anything else, including out-of-range
/// fields, is nil.
public enum HTTPDate {
    /// Parses `text`; `now` (Unix seconds) settles RFC 850's two-digit year: a year more than 50 years
    /// ahead of `now` is taken as the most recent past year with the same last two digits.
    public static func parse(_ text: String, now: Double) -> Double? {
        let bytes = Array(text.utf8)
        return imfFixdate(bytes) ?? rfc850(bytes, now: now) ?? asctime(bytes)
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`
    private static func imfFixdate(_ bytes: [UInt8]) -> Double? {
        var scanner = DigitScanner(bytes)
        guard scanner.word(shortDays) != nil, scanner.take(","), scanner.take(" "),
              let day = scanner.digits(2), scanner.take(" "), let month = scanner.word(months), scanner.take(" "),
              let year = scanner.digits(4), scanner.take(" "), let time = scanner.timeOfDay(),
              scanner.take(" GMT"), scanner.atEnd else { return nil }
        return seconds(year: year, month: month + 1, day: day, time: time)
    }

    /// `Sunday, 06-Nov-94 08:49:37 GMT`
    private static func rfc850(_ bytes: [UInt8], now: Double) -> Double? {
        var scanner = DigitScanner(bytes)
        guard scanner.word(longDays) != nil, scanner.take(","), scanner.take(" "),
              let day = scanner.digits(2), scanner.take("-"), let month = scanner.word(months), scanner.take("-"),
              let twoDigitYear = scanner.digits(2), scanner.take(" "), let time = scanner.timeOfDay(),
              scanner.take(" GMT"), scanner.atEnd else { return nil }
        let currentYear = Timestamp.civilDate(daysSinceEpoch: Int64((now / 86_400).rounded(.down))).year
        var year = currentYear - currentYear % 100 + twoDigitYear
        if year > currentYear + 50 { year -= 100 }
        return seconds(year: year, month: month + 1, day: day, time: time)
    }

    /// `Sun Nov  6 08:49:37 1994` (the day is two digits or a space and one digit)
    private static func asctime(_ bytes: [UInt8]) -> Double? {
        var scanner = DigitScanner(bytes)
        guard scanner.word(shortDays) != nil, scanner.take(" "), let month = scanner.word(months),
              scanner.take(" ") else { return nil }
        let day = scanner.take(" ") ? scanner.digit() : scanner.digits(2)
        guard let day, scanner.take(" "), let time = scanner.timeOfDay(), scanner.take(" "),
              let year = scanner.digits(4), scanner.atEnd else { return nil }
        return seconds(year: year, month: month + 1, day: day, time: time)
    }

    private static func seconds(year: Int, month: Int, day: Int, time: Int) -> Double? {
        guard (1...Timestamp.daysIn(month: month, year: year)).contains(day) else { return nil }
        return Double(Timestamp.daysSinceEpoch(year: year, month: month, day: day)) * 86_400 + Double(time)
    }

    private static let shortDays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

extension DigitScanner {
    /// Consumes `text` if the bytes continue with it exactly.
    mutating func take(_ text: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        guard bytes.count - index >= expected.count,
              bytes[index..<(index + expected.count)].elementsEqual(expected) else { return false }
        index += expected.count
        return true
    }

    /// Consumes the first of `words` the bytes continue with; returns its index.
    mutating func word(_ words: [String]) -> Int? {
        for (position, word) in words.enumerated() {
            let expected = Array(word.utf8)
            if bytes.count - index >= expected.count, bytes[index..<(index + expected.count)].elementsEqual(expected) {
                index += expected.count
                return position
            }
        }
        return nil
    }

    /// `HH:MM:SS` as seconds of the day; a leap second counts as 59.
    mutating func timeOfDay() -> Int? {
        guard let hour = digits(2), take(":"), let minute = digits(2), take(":"), let second = digits(2),
              hour < 24, minute < 60, second <= 60 else { return nil }
        return hour * 3600 + minute * 60 + min(second, 59)
    }
}
