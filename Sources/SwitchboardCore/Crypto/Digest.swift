import COpenSSL
import Foundation

/// One-shot message digests computed with OpenSSL's `EVP_Digest`.
///
/// The algorithm objects are fetched once per process; every call uses its own digest
/// context, so the functions may be called from any number of threads at once.
public enum Digest {
    /// The SHA-256 digest (32 bytes) of `data`.
    public static func sha256(_ data: some ContiguousBytes) throws(CryptoError) -> [UInt8] {
        try compute(data, with: OpenSSLAlgorithms.sha256.get())
    }

    /// The SHA-1 digest (20 bytes) of `data`. SHA-1 is broken for collision resistance; use it
    /// only where a standard requires it (name-based UUIDs, legacy signature schemes).
    public static func sha1(_ data: some ContiguousBytes) throws(CryptoError) -> [UInt8] {
        try compute(data, with: OpenSSLAlgorithms.sha1.get())
    }

    private static func compute(
        _ data: some ContiguousBytes, with algorithm: OpenSSLAlgorithms.MessageDigest
    ) throws(CryptoError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.size)
        var written: UInt32 = 0
        let status = data.withUnsafeBytes { input in
            output.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress, &written, algorithm.pointer, nil)
            }
        }
        guard status == 1, Int(written) == algorithm.size else {
            throw OpenSSLErrorQueue.failure("EVP_Digest")
        }
        return output
    }
}
