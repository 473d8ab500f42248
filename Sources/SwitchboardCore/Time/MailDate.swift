/// RFC 5322 (RFC 2822) date-times, the form Twilio writes its `Timestamp` and `RecordingStartTime`
/// in: `Mon, 16 Aug 2010 03:45:01 +0000`, to Unix seconds.
///
/// Accepted: an optional day name and comma, a one- or two-digit day, an English month abbreviation,
/// a four-digit year, `HH:MM:SS`, and a zone `+HHMM`/`-HHMM` or `GMT`/`UT`/`UTC`/`Z`, single spaces
/// between them. Anything else (comments, obsolete zones such as `EST`, out-of-range fields) is nil.
public enum MailDate {
    public static func parse(_ text: String) -> Double? {
        var scanner = DigitScanner(Array(text.utf8))
        if scanner.word(dayNames) != nil {
            guard scanner.take(","), scanner.take(" ") else { return nil }
        }
        guard let first = scanner.digit() else { return nil }
        let day = scanner.digit().map { first * 10 + $0 } ?? first
        guard scanner.take(" "), let month = scanner.word(monthNames), scanner.take(" "),
              let year = scanner.digits(4), scanner.take(" "), let time = scanner.timeOfDay(), scanner.take(" "),
              let offset = zoneOffset(&scanner), scanner.atEnd,
              (1...Timestamp.daysIn(month: month + 1, year: year)).contains(day) else { return nil }
        let days = Timestamp.daysSinceEpoch(year: year, month: month + 1, day: day)
        return Double(days) * 86_400 + Double(time - offset)
    }

    /// Seconds east of UTC.
    private static func zoneOffset(_ scanner: inout DigitScanner) -> Int? {
        for name in ["GMT", "UTC", "UT", "Z"] where scanner.word([name]) != nil { return 0 }
        let sign: Int
        if scanner.take("+") { sign = 1 } else if scanner.take("-") { sign = -1 } else { return nil }
        guard let hours = scanner.digits(2), let minutes = scanner.digits(2), hours < 24, minutes < 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    private static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
