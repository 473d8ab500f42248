#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 3339 / ISO 8601 UTC timestamps, formatted without Foundation's (slow, locale-aware) formatters.
public enum Timestamp {
    /// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SS[.fff]Z`, with `fractionDigits` (0...6) after the point.
    public static func iso8601(_ epochSeconds: Double, fractionDigits: Int = 0) -> String {
        let digits = min(max(fractionDigits, 0), 6)
        var whole = epochSeconds.rounded(.down)
        var fraction = epochSeconds - whole
        let scale = [1.0, 10, 100, 1000, 10_000, 100_000, 1_000_000][digits]
        var units = Int((fraction * scale).rounded())
        if units >= Int(scale) && digits > 0 { units = 0; whole += 1 }
        if digits == 0 { fraction = 0 }
        var seconds = time_t(whole)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
        text += "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
        if digits > 0 { text += "." + pad(units, digits) }
        return text + "Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
