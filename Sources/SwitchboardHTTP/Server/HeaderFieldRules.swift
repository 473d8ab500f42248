import SwitchboardCore

/// Checks the header fields of a request as received, bytes and all, before anything reads them. Pure.
///
/// libmicrohttpd hands header values over as C strings, so a value with a NUL byte would reach
/// handlers cut at the NUL (an API key `sk_live_x\0anything` read as `sk_live_x`). The server
/// therefore collects each field with its real length (`MHD_get_connection_values_n`) and refuses:
///
/// - a name or value with a control byte (0x00–0x1F or 0x7F) other than a horizontal tab, which
///   RFC 9110 §5.5 does not allow in a field value;
/// - a field that may appear only once (`Authorization`) appearing twice: which of two credentials
///   counts would depend on the reader.
public enum HeaderFieldRules {
    /// Fields a request may carry at most once (names compare without regard to ASCII case).
    public static let singletons = ["Authorization"]

    /// Why the fields are unacceptable, or nil when they are fine. `fields` are every field as
    /// received, in order, repeated names included.
    public static func problem(_ fields: [(name: [UInt8], value: [UInt8])]) -> String? {
        var seen: Set<String> = []
        for field in fields {
            let name = String(decoding: field.name, as: UTF8.self)
            if field.name.contains(where: isForbidden) {
                return "header name contains a control character"
            }
            if let index = field.value.firstIndex(where: isForbidden) {
                let byte = field.value[index]
                return "header \(name) contains a control character (0x\(hex(byte))) at byte \(index)"
            }
            guard let singleton = singletons.first(where: { name.equalsIgnoringASCIICase($0) }) else { continue }
            guard seen.insert(singleton).inserted else { return "header \(singleton) appears more than once" }
        }
        return nil
    }

    /// Whether the header block as libmicrohttpd keeps it holds bytes no field accounts for: what a NUL
    /// inside a value hides (libmicrohttpd 0.9.75 reports the value's length up to the NUL, however the
    /// line goes on), or an obsolete line folding. Pure.
    ///
    /// - Parameters:
    ///   - block: the header block in libmicrohttpd's read buffer, from the request line's start to
    ///     the body. libmicrohttpd has turned each line's end (CR LF, or a bare LF) into NUL bytes
    ///     and each field's colon into a NUL, and kept names and values in place.
    ///   - spans: where each field's name and value lie in `block` (offsets and lengths it reported).
    /// - Returns: true when, after the first field's name, a byte outside every span is not NUL, SP
    ///   or HTAB, or more NULs lie between two spans than a colon or a line end leaves (2; 4 after the
    ///   last field, whose line end is followed by the empty line's): a NUL at a value's end.
    public static func hasUnaccountedBytes(block: [UInt8], spans: [Range<Int>]) -> Bool {
        guard let start = spans.map(\.lowerBound).min() else { return false }
        var covered = [Bool](repeating: false, count: block.count)
        var boundaries = Set<Int>()
        for span in spans where span.lowerBound >= 0 && span.upperBound <= block.count {
            for index in span { covered[index] = true }
            boundaries.insert(span.lowerBound)
            boundaries.insert(span.upperBound)
        }
        var nuls = 0
        for index in start..<block.count {
            if boundaries.contains(index) {
                guard nuls <= 2 else { return true }
                nuls = 0
            }
            guard !covered[index] else { continue }
            switch block[index] {
            case 0x00: nuls += 1
            case 0x20, 0x09: continue
            default: return true
            }
        }
        return nuls > 4
    }

    /// A control byte other than HTAB.
    private static func isForbidden(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09) || byte == 0x7F
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }
}
