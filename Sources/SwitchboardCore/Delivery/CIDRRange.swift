/// Why a CIDR range could not be parsed.
public struct CIDRError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    public var text: String
    /// What is wrong with it.
    public var reason: String

    public var description: String { "\"\(text)\" is not a CIDR range: \(reason)" }
}

/// An address range written `address/prefix`, IPv4 (`10.0.0.0/8`) or IPv6 (`fd00::/8`).
///
/// Bits past the prefix are ignored (`10.1.2.3/8` is `10.0.0.0/8`). An IPv6 range inside the
/// IPv4-mapped block (`::ffff:10.0.0.0/104`) is stored as the IPv4 range it denotes (`10.0.0.0/8`), so
/// it matches IPv4 addresses and their mapped forms alike (see ``OutboundPolicy``).
public struct CIDRRange: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the range (host bits cleared).
    public let network: IPAddress
    /// Leading bits that must match: 0...32 for IPv4, 0...128 for IPv6.
    public let prefixLength: Int

    /// A range from its first address and prefix length; host bits are cleared. Nil if the prefix
    /// length does not fit the family.
    public init?(_ address: IPAddress, prefixLength: Int) {
        guard prefixLength >= 0, prefixLength <= address.bytes.count * 8 else { return nil }
        if address.bytes.count == 16, prefixLength >= 96, address.bytes.prefix(12) == Self.mappedPrefix[...],
           let v4 = IPAddress(bytes: Array(address.bytes[12...])) {
            self.init(masking: v4, prefixLength: prefixLength - 96)
        } else {
            self.init(masking: address, prefixLength: prefixLength)
        }
    }

    /// Parses `address/prefix`; the prefix is required and must be decimal digits in range.
    public init(_ text: String) throws(CIDRError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw CIDRError(text: text, reason: "expected address/prefix") }
        guard let address = IPAddress(String(parts[0])) else {
            throw CIDRError(text: text, reason: "\"\(parts[0])\" is not an IPv4 or IPv6 address")
        }
        let digits = parts[1]
        guard !digits.isEmpty, digits.count <= 3, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let length = Int(digits), let range = CIDRRange(address, prefixLength: length) else {
            let limit = address.family == .ipv4 ? 32 : 128
            throw CIDRError(text: text, reason: "the prefix length must be 0 to \(limit)")
        }
        self = range
    }

    private init(masking address: IPAddress, prefixLength: Int) {
        var bytes = address.bytes
        for index in bytes.indices {
            let bitsKept = min(max(prefixLength - index * 8, 0), 8)
            bytes[index] &= bitsKept == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bitsKept))
        }
        // Four or sixteen bytes in, the same count out.
        network = IPAddress(bytes: bytes) ?? address
        self.prefixLength = prefixLength
    }

    /// Whether `address` lies in this range. Families must match: an IPv4 range holds no IPv6 address
    /// (the policy compares embedded IPv4 addresses separately).
    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (have, want) in zip(address.bytes, network.bytes) where remaining > 0 {
            let bits = min(remaining, 8)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if have & mask != want { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String { "\(network)/\(prefixLength)" }

    private static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
}
