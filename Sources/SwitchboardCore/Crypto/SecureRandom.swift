import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's `RAND_bytes` (a DRBG seeded from the
/// operating system). Safe to call from any thread.
public enum SecureRandom {
    /// `count` random bytes. Throws ``CryptoError/invalidArgument(_:)`` for a negative count or
    /// one above `Int32.max`, and ``CryptoError/randomGenerationFailed(detail:)`` if the
    /// generator cannot deliver (for example when it cannot be seeded); never returns weak bytes.
    public static func bytes(count: Int) throws(CryptoError) -> [UInt8] {
        guard count >= 0, let length = Int32(exactly: count) else {
            throw .invalidArgument("random byte count \(count) is out of range")
        }
        var output = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return output }
        let status = output.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, length) }
        guard status == 1 else {
            throw .randomGenerationFailed(detail: OpenSSLErrorQueue.drain())
        }
        return output
    }
}
