import COpenSSL

/// Ed25519 signatures (RFC 8032) through OpenSSL's `EVP_PKEY_ED25519` and one-shot
/// `EVP_DigestSign` / `EVP_DigestVerify`. Keys are raw bytes: a 32-byte private seed and a
/// 32-byte public key; signatures are 64 bytes. Signing is deterministic: the same seed and
/// message always give the same signature.
public enum Ed25519 {
    /// The length of a private seed and of a public key.
    public static let keyLength = 32
    /// The length of a signature.
    public static let signatureLength = 64

    /// The signature of `message` under the private `seed` (32 bytes, else ``CryptoError/invalidArgument(_:)``).
    public static func sign(_ message: [UInt8], seed: [UInt8]) throws(CryptoError) -> [UInt8] {
        let key = try privateKey(seed)
        defer { EVP_PKEY_free(key) }
        let context = try digestContext()
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else {
            throw OpenSSLErrorQueue.failure("EVP_DigestSignInit")
        }
        var signature = [UInt8](repeating: 0, count: signatureLength)
        var length = signature.count
        let status = withMessagePointer(message) { pointer in
            signature.withUnsafeMutableBufferPointer { out in
                EVP_DigestSign(context, out.baseAddress, &length, pointer, message.count)
            }
        }
        guard status == 1, length == signatureLength else { throw OpenSSLErrorQueue.failure("EVP_DigestSign") }
        return signature
    }

    /// Whether `signature` is a valid signature of `message` under `publicKey`. A key or
    /// signature of the wrong length is simply not valid; a key OpenSSL refuses throws.
    public static func isValid(signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) throws(CryptoError) -> Bool {
        guard signature.count == signatureLength else { return false }
        let key = try self.publicKey(publicKey)
        defer { EVP_PKEY_free(key) }
        let context = try digestContext()
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else {
            throw OpenSSLErrorQueue.failure("EVP_DigestVerifyInit")
        }
        let status = withMessagePointer(message) { pointer in
            signature.withUnsafeBufferPointer { sig in
                EVP_DigestVerify(context, sig.baseAddress, sig.count, pointer, message.count)
            }
        }
        // 1: valid; 0: invalid; anything else: an error, which for a well-formed key means a bad signature too.
        _ = OpenSSLErrorQueue.drain()
        return status == 1
    }

    /// The public key of the private `seed`.
    public static func publicKey(forSeed seed: [UInt8]) throws(CryptoError) -> [UInt8] {
        let key = try privateKey(seed)
        defer { EVP_PKEY_free(key) }
        var publicKey = [UInt8](repeating: 0, count: keyLength)
        var length = publicKey.count
        guard EVP_PKEY_get_raw_public_key(key, &publicKey, &length) == 1, length == keyLength else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_get_raw_public_key")
        }
        return publicKey
    }

    private static func privateKey(_ seed: [UInt8]) throws(CryptoError) -> OpaquePointer {
        guard seed.count == keyLength else { throw .invalidArgument("an Ed25519 private key is \(keyLength) bytes") }
        guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_new_raw_private_key")
        }
        return key
    }

    private static func publicKey(_ bytes: [UInt8]) throws(CryptoError) -> OpaquePointer {
        guard bytes.count == keyLength else { throw .invalidArgument("an Ed25519 public key is \(keyLength) bytes") }
        guard let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, bytes, bytes.count) else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_new_raw_public_key")
        }
        return key
    }

    private static func digestContext() throws(CryptoError) -> OpaquePointer {
        guard let context = EVP_MD_CTX_new() else { throw OpenSSLErrorQueue.failure("EVP_MD_CTX_new") }
        return context
    }

    /// Runs `body` with a pointer to `message`'s bytes, non-null even for an empty message.
    private static func withMessagePointer<R>(_ message: [UInt8], _ body: (UnsafePointer<UInt8>?) -> R) -> R {
        let storage = message.isEmpty ? [0] : message
        return storage.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
