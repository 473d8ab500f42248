/// `application/x-www-form-urlencoded` text as Python's `urllib.parse.parse_qsl(…,
/// keep_blank_values=True)` decodes it (what web frameworks hand to the providers' validators):
/// pairs separated by `&`, empty pieces skipped, name and value split at the first `=` (a piece
/// without one is a name with an empty value), `+` read as a space, `%HH` as the byte HH (a `%`
/// not followed by two hex digits stays as it is), the bytes read as UTF-8 with invalid sequences
/// replaced by U+FFFD.
public enum FormURLEncoding {
    /// The name/value pairs of `bytes`, in order, repeated names kept.
    public static func decode(_ bytes: some Collection<UInt8>) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for piece in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = piece.firstIndex(of: UInt8(ascii: "=")) {
                pairs.append((unescape(piece[..<equals]), unescape(piece[piece.index(after: equals)...])))
            } else {
                pairs.append((unescape(piece), ""))
            }
        }
        return pairs
    }

    /// The text of one form component: `+` → space, `%HH` → byte, then UTF-8.
    static func unescape(_ component: some Collection<UInt8>) -> String {
        let input = Array(component)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "%"), index + 2 < input.count,
               let high = Hex.value(of: input[index + 1]), let low = Hex.value(of: input[index + 2]) {
                output.append(high << 4 | low)
                index += 3
                continue
            }
            output.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}
