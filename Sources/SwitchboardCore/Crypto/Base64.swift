/// Standard base64 (RFC 4648 §4: alphabet `A-Z a-z 0-9 + /`, `=` padding).
///
/// Decoding is strict, so that a signature has exactly one accepted spelling:
/// - padding is required: the length must be a multiple of 4 (`"Zg"` is rejected, `"Zg=="` accepted);
/// - `=` may appear only as the last one or two characters;
/// - whitespace, line breaks and characters of other alphabets (`-`, `_`) are rejected; trim
///   header values before decoding;
/// - the unused low bits before padding must be zero (`"Zh=="` is rejected; RFC 4648 §3.5),
///   so every accepted text is the canonical encoding of its bytes.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let padding = UInt8(ascii: "=")

    /// Maps an ASCII byte to its 6-bit value, or 0xFF for bytes outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    /// The padded standard base64 text of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        var text: [UInt8] = []
        text.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let remaining = input.count - index
            let b0 = UInt32(input[index])
            let b1 = remaining > 1 ? UInt32(input[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(input[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            text.append(alphabet[Int(group >> 18 & 0x3F)])
            text.append(alphabet[Int(group >> 12 & 0x3F)])
            text.append(remaining > 1 ? alphabet[Int(group >> 6 & 0x3F)] : padding)
            text.append(remaining > 2 ? alphabet[Int(group & 0x3F)] : padding)
            index += 3
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes encoded by padded standard base64 `text` (rules in the type's documentation).
    /// Throws ``CryptoError/invalidBase64`` for anything else. Empty text decodes to no bytes.
    public static func decode(_ text: some StringProtocol) throws(CryptoError) -> [UInt8] {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { throw .invalidBase64 }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLastGroup = index + 4 == input.count
            try decodeGroup(input[index..<index + 4], isLast: isLastGroup, into: &bytes)
            index += 4
        }
        return bytes
    }

    /// Decodes one four-character group; only the last group may carry padding.
    private static func decodeGroup(
        _ group: ArraySlice<UInt8>, isLast: Bool, into bytes: inout [UInt8]
    ) throws(CryptoError) {
        let start = group.startIndex
        let padCount = group[start + 3] == padding ? (group[start + 2] == padding ? 2 : 1) : 0
        guard padCount == 0 || isLast else { throw .invalidBase64 }
        var accumulated: UInt32 = 0
        for character in group.prefix(4 - padCount) {
            let value = values[Int(character)]
            guard value != 0xFF else { throw .invalidBase64 }
            accumulated = accumulated << 6 | UInt32(value)
        }
        switch padCount {
        case 0:
            bytes.append(UInt8(truncatingIfNeeded: accumulated >> 16))
            bytes.append(UInt8(truncatingIfNeeded: accumulated >> 8))
            bytes.append(UInt8(truncatingIfNeeded: accumulated))
        case 1:  // 18 bits: two bytes and two zero bits
            guard accumulated & 0x3 == 0 else { throw .invalidBase64 }
            bytes.append(UInt8(truncatingIfNeeded: accumulated >> 10))
            bytes.append(UInt8(truncatingIfNeeded: accumulated >> 2))
        default:  // 12 bits: one byte and four zero bits
            guard accumulated & 0xF == 0 else { throw .invalidBase64 }
            bytes.append(UInt8(truncatingIfNeeded: accumulated >> 4))
        }
    }
}
