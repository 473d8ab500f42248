import COpenSSL
import Foundation

/// A secret key ready to compute HMAC-SHA256 authentication codes (RFC 2104 with SHA-256).
///
/// Creating the key builds a keyed OpenSSL `EVP_MAC_CTX` once and keeps it as a template.
/// Each computation duplicates the template with `EVP_MAC_CTX_dup`, feeds the message into the
/// copy and frees it, so the key material is hashed once per key rather than once per message
/// (about twice as fast as one-shot `HMAC()`).
///
/// ## Thread safety
/// The template is only ever read after initialisation (duplication does not modify its
/// source), and every computation works on its own private copy. A key is therefore
/// `Sendable` and may be used from any number of threads or tasks at the same time.
///
/// ```swift
/// let key = try HMACSHA256Key(Array(secret.utf8))
/// let code = try key.authenticationCode(forParts: [Array("\(timestamp).".utf8), body])
/// ```
public struct HMACSHA256Key: Sendable {
    /// The length in bytes of every HMAC-SHA256 authentication code.
    public static let codeLength = 32

    private let storage: Storage

    /// Prepares `key` for HMAC-SHA256. Any length is accepted, including empty; keys longer
    /// than the SHA-256 block (64 bytes) are hashed first, as RFC 2104 specifies.
    public init(_ key: some ContiguousBytes) throws(CryptoError) {
        storage = try Storage(key: key)
    }

    /// The authentication code of one contiguous message.
    public func authenticationCode(for message: some ContiguousBytes) throws(CryptoError) -> [UInt8] {
        let context = try storage.duplicateTemplate()
        defer { EVP_MAC_CTX_free(context) }
        try Self.update(context, with: message)
        return try Self.finish(context)
    }

    /// The authentication code of the concatenation of `parts`, computed without building
    /// the concatenation (for signature schemes that sign `"<timestamp>." + body` and the like).
    public func authenticationCode(forParts parts: [any ContiguousBytes]) throws(CryptoError) -> [UInt8] {
        let context = try storage.duplicateTemplate()
        defer { EVP_MAC_CTX_free(context) }
        for part in parts {
            try Self.update(context, with: part)
        }
        return try Self.finish(context)
    }

    /// One-shot convenience: the HMAC-SHA256 code of `message` under `key`. Prefer keeping an
    /// ``HMACSHA256Key`` when the same key signs or verifies many messages.
    public static func authenticationCode(
        key: some ContiguousBytes, message: some ContiguousBytes
    ) throws(CryptoError) -> [UInt8] {
        try HMACSHA256Key(key).authenticationCode(for: message)
    }

    private static func update(_ context: OpaquePointer, with bytes: some ContiguousBytes) throws(CryptoError) {
        let status: Int32 = bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return 1 }
            return EVP_MAC_update(context, base.assumingMemoryBound(to: UInt8.self), buffer.count)
        }
        guard status == 1 else { throw OpenSSLErrorQueue.failure("EVP_MAC_update") }
    }

    private static func finish(_ context: OpaquePointer) throws(CryptoError) -> [UInt8] {
        var code = [UInt8](repeating: 0, count: codeLength)
        var written = 0
        let status = code.withUnsafeMutableBufferPointer { out in
            EVP_MAC_final(context, out.baseAddress, &written, out.count)
        }
        guard status == 1, written == codeLength else { throw OpenSSLErrorQueue.failure("EVP_MAC_final") }
        return code
    }
}

extension HMACSHA256Key {
    /// Owns the keyed template context and frees it when the last copy of the key goes away.
    /// `@unchecked Sendable`: the context is written only in `init` and read (duplicated) after.
    private final class Storage: @unchecked Sendable {
        private let template: OpaquePointer

        init(key: some ContiguousBytes) throws(CryptoError) {
            let mac = try OpenSSLAlgorithms.hmac.get()
            guard let context = EVP_MAC_CTX_new(mac.pointer) else {
                throw OpenSSLErrorQueue.failure("EVP_MAC_CTX_new")
            }
            guard Self.initialise(context, key: key) == 1 else {
                EVP_MAC_CTX_free(context)
                throw OpenSSLErrorQueue.failure("EVP_MAC_init")
            }
            template = context
        }

        deinit {
            EVP_MAC_CTX_free(template)
        }

        /// A fresh copy of the keyed template; the caller must free it with `EVP_MAC_CTX_free`.
        func duplicateTemplate() throws(CryptoError) -> OpaquePointer {
            guard let copy = EVP_MAC_CTX_dup(template) else {
                throw OpenSSLErrorQueue.failure("EVP_MAC_CTX_dup")
            }
            return copy
        }

        /// Keys `context` for HMAC with SHA-256. A non-null key pointer is always passed
        /// (OpenSSL treats a null key as "keep the current key"), also for an empty key.
        private static func initialise(_ context: OpaquePointer, key: some ContiguousBytes) -> Int32 {
            var parameterName = Array(OSSL_MAC_PARAM_DIGEST.utf8CString)
            var digestName = Array("SHA256".utf8CString)
            var emptyKey: UInt8 = 0
            return parameterName.withUnsafeMutableBufferPointer { name in
                digestName.withUnsafeMutableBufferPointer { digest in
                    var parameters = [
                        OSSL_PARAM_construct_utf8_string(name.baseAddress, digest.baseAddress, 0),
                        OSSL_PARAM_construct_end(),
                    ]
                    return key.withUnsafeBytes { keyBytes in
                        let keyPointer = keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
                        if let keyPointer, keyBytes.count > 0 {
                            return EVP_MAC_init(context, keyPointer, keyBytes.count, &parameters)
                        }
                        return EVP_MAC_init(context, &emptyKey, 0, &parameters)
                    }
                }
            }
        }
    }
}
