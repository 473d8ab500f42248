import COpenSSL
import Foundation

/// Comparisons whose running time does not depend on the bytes compared.
public enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same bytes, compared with `CRYPTO_memcmp` so that the
    /// time taken does not reveal where they first differ. Use it for every comparison of a
    /// secret or a signature. Inputs of different lengths are unequal (the lengths themselves
    /// are not secret); two empty inputs are equal.
    public static func equals(_ lhs: some ContiguousBytes, _ rhs: some ContiguousBytes) -> Bool {
        lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                guard left.count == right.count else { return false }
                guard left.count > 0, let leftBase = left.baseAddress, let rightBase = right.baseAddress else {
                    return true
                }
                return CRYPTO_memcmp(leftBase, rightBase, left.count) == 0
            }
        }
    }
}
