/// Base64url without padding (RFC 4648 §5, RFC 7515 §2): the alphabet `A-Z a-z 0-9 - _`, as in
/// the segments of a JSON Web Token.
///
/// Decoding is as strict as ``Base64``: no padding, no whitespace, no characters of the standard
/// alphabet (`+`, `/`), unused low bits zero, so every accepted text is the canonical encoding.
public enum Base64URL {
    /// The unpadded base64url text of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text = ""
        for character in Base64.encode(bytes) {
            switch character {
            case "+": text.append("-")
            case "/": text.append("_")
            case "=": continue
            default: text.append(character)
            }
        }
        return text
    }

    /// The bytes encoded by unpadded base64url `text`; throws ``CryptoError/invalidBase64`` otherwise.
    public static func decode(_ text: some StringProtocol) throws(CryptoError) -> [UInt8] {
        var standard = ""
        for character in text {
            switch character {
            case "-": standard.append("+")
            case "_": standard.append("/")
            case "+", "/", "=": throw .invalidBase64
            default: standard.append(character)
            }
        }
        switch standard.utf8.count % 4 {
        case 0: break
        case 2: standard += "=="
        case 3: standard += "="
        default: throw .invalidBase64
        }
        return try Base64.decode(standard)
    }
}
