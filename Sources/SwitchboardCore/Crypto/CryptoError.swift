import COpenSSL

/// An error from one of the crypto helpers. Bad input and library failures are reported
/// through this type; none of the helpers crash on bad data.
public enum CryptoError: Error, Sendable, Equatable {
    /// OpenSSL could not provide the named algorithm (for example a FIPS-only build without SHA-1).
    case algorithmUnavailable(String)
    /// An OpenSSL call failed. `function` names the call; `detail` is the text of the
    /// OpenSSL error queue at that moment (possibly empty).
    case operationFailed(function: String, detail: String)
    /// The random generator could not produce bytes (`RAND_bytes` failed).
    case randomGenerationFailed(detail: String)
    /// A length or count argument was outside the accepted range.
    case invalidArgument(String)
    /// The text is not valid hexadecimal (odd length or a character outside `0-9a-fA-F`).
    case invalidHex
    /// The text is not valid padded standard base64 (see ``Base64/decode(_:)``).
    case invalidBase64
}

extension CryptoError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .algorithmUnavailable(let name):
            return "crypto algorithm unavailable: \(name)"
        case .operationFailed(let function, let detail):
            return detail.isEmpty ? "\(function) failed" : "\(function) failed: \(detail)"
        case .randomGenerationFailed(let detail):
            return detail.isEmpty ? "random generation failed" : "random generation failed: \(detail)"
        case .invalidArgument(let message):
            return "invalid argument: \(message)"
        case .invalidHex:
            return "invalid hexadecimal text"
        case .invalidBase64:
            return "invalid base64 text"
        }
    }
}

/// Reads the calling thread's OpenSSL error queue.
enum OpenSSLErrorQueue {
    /// Empties the calling thread's error queue and returns its entries joined with "; ".
    /// Draining keeps stale entries from being reported by a later, unrelated failure.
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            messages.append(String(decoding: bytes, as: UTF8.self))
        }
        return messages.joined(separator: "; ")
    }

    /// A ``CryptoError/operationFailed(function:detail:)`` for `function`, carrying the drained queue.
    static func failure(_ function: String) -> CryptoError {
        .operationFailed(function: function, detail: drain())
    }
}
