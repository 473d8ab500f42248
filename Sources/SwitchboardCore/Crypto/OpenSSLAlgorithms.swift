import COpenSSL

/// Algorithm objects fetched from OpenSSL's default library context, once per process.
///
/// Fetching is comparatively expensive (it takes locks and searches the providers), so each
/// algorithm is fetched lazily on first use and kept for the life of the process; the objects
/// are never freed. OpenSSL documents fetched `EVP_MAC` and `EVP_MD` objects as safe to share
/// between threads (they are reference counted and immutable), which is what makes the
/// `@unchecked Sendable` wrappers below sound.
enum OpenSSLAlgorithms {
    /// A fetched `EVP_MAC`, shared read-only between threads.
    struct MAC: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    /// A fetched `EVP_MD`, shared read-only between threads.
    struct MessageDigest: @unchecked Sendable {
        let pointer: OpaquePointer
        /// The digest length in bytes.
        let size: Int
    }

    /// The "HMAC" MAC implementation.
    static let hmac: Result<MAC, CryptoError> = {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else {
            _ = OpenSSLErrorQueue.drain()
            return .failure(.algorithmUnavailable("HMAC"))
        }
        return .success(MAC(pointer: mac))
    }()

    /// SHA-256.
    static let sha256: Result<MessageDigest, CryptoError> = fetchDigest("SHA256")

    /// SHA-1 (used only where a standard demands it, such as name-based UUIDs).
    static let sha1: Result<MessageDigest, CryptoError> = fetchDigest("SHA1")

    private static func fetchDigest(_ name: String) -> Result<MessageDigest, CryptoError> {
        guard let md = EVP_MD_fetch(nil, name, nil) else {
            _ = OpenSSLErrorQueue.drain()
            return .failure(.algorithmUnavailable(name))
        }
        let size = Int(EVP_MD_get_size(md))
        guard size > 0 else {
            EVP_MD_free(md)
            return .failure(.algorithmUnavailable(name))
        }
        return .success(MessageDigest(pointer: md, size: size))
    }
}
