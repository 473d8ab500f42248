import COpenSSL

/// One-shot HMAC (RFC 2104) with a choice of hash, computed by OpenSSL's `EVP_Q_mac`.
///
/// For HMAC-SHA256 under a key that signs many messages, prefer ``HMACSHA256Key``, which keys
/// its context once. This type serves the provider schemes that name their hash: Twilio's
/// HMAC-SHA1 (and its SharedKey HMAC-SHA256 variant).
public enum HMAC {
    /// The hash under the HMAC.
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha1 = "SHA1"
        case sha256 = "SHA256"
        case sha512 = "SHA512"

        /// The length in bytes of the authentication code.
        public var codeLength: Int {
            switch self {
            case .sha1: return 20
            case .sha256: return 32
            case .sha512: return 64
            }
        }
    }

    /// The authentication code of `message` under `key`. Any key length is accepted, empty included.
    public static func authenticationCode(
        _ algorithm: Algorithm, key: [UInt8], message: [UInt8]
    ) throws(CryptoError) -> [UInt8] {
        var code = [UInt8](repeating: 0, count: algorithm.codeLength)
        var written = 0
        // OpenSSL reads a null key pointer as "no key", so empty inputs point at one unused byte.
        let keyStorage: [UInt8] = key.isEmpty ? [0] : key
        let messageStorage: [UInt8] = message.isEmpty ? [0] : message
        let result = keyStorage.withUnsafeBytes { keyPointer in
            messageStorage.withUnsafeBufferPointer { messagePointer in
                code.withUnsafeMutableBufferPointer { out in
                    EVP_Q_mac(nil, "HMAC", nil, algorithm.rawValue, nil, keyPointer.baseAddress, key.count,
                              messagePointer.baseAddress, message.count, out.baseAddress, out.count, &written)
                }
            }
        }
        guard result != nil, written == algorithm.codeLength else { throw OpenSSLErrorQueue.failure("EVP_Q_mac") }
        return code
    }
}
