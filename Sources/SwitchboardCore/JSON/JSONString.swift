/// Writes a Swift string as a JSON string literal (RFC 8259 §7): quotes, backslashes and control
/// characters escaped, everything else UTF-8 as is.
public enum JSONString {
    public static func append(_ string: String, to out: inout String) {
        out.append("\"")
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }

    public static func quoted(_ string: String) -> String {
        var out = ""
        append(string, to: &out)
        return out
    }
}
