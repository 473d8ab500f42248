#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its network-order bytes (4 or 16).
///
/// Parsed and formatted with the C library (`inet_pton`/`inet_ntop`), so the text forms are exactly the
/// ones the resolver and the socket layer use. Scope ids (`fe80::1%eth0`) are not part of the value.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable {
        case ipv4
        case ipv6
    }

    /// Network-order bytes: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// An address from its bytes; nil unless there are exactly 4 or 16.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses dotted-quad IPv4 (`inet_pton` is strict: no `127.1`, no octal) or any IPv6 text form,
    /// including embedded dotted quads (`::ffff:10.0.0.1`). No brackets, no scope id, no port.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// An IPv4 address from its four octets.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        bytes = [a, b, c, d]
    }

    public var family: Family { bytes.count == 4 ? .ipv4 : .ipv6 }

    /// The canonical text form (`inet_ntop`): `10.0.0.1`, `::1`, `::ffff:10.0.0.1`.
    public var description: String {
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBytes { raw in
            buffer.withUnsafeMutableBufferPointer { out in
                inet_ntop(family, raw.baseAddress, out.baseAddress, socklen_t(out.count)) != nil
            }
        }
        guard ok else { return bytes.map(String.init).joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The IPv4 address an IPv6 address stands for, when it is one of the forms that carry an IPv4
    /// address in its last 32 bits and deliver to it:
    ///
    /// - IPv4-mapped `::ffff:0:0/96` (the socket layer connects to the IPv4 address itself);
    /// - IPv4-compatible `::/96` (deprecated; `::` and `::1` excluded, they are IPv6's own);
    /// - SIIT IPv4-translated `::ffff:0:0:0/96`;
    /// - NAT64's well-known prefix `64:ff9b::/96` (the translator forwards to the IPv4 address).
    ///
    /// Nil for IPv4 addresses and every other IPv6 address. 6to4 (`2002::/16`) and Teredo are not
    /// unwrapped: ``AddressCategory`` refuses them whole.
    public var embeddedIPv4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let head = bytes[0..<12]
        let zeros = head.prefix(10).allSatisfy { $0 == 0 }
        let isMapped = zeros && bytes[10] == 0xFF && bytes[11] == 0xFF
        let isCompatible = head.allSatisfy { $0 == 0 } && bytes[12...].contains { $0 != 0 }
            && !(bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0 && bytes[15] == 1)
        let isTranslated = head.prefix(8).allSatisfy { $0 == 0 } && bytes[8] == 0xFF && bytes[9] == 0xFF
            && bytes[10] == 0 && bytes[11] == 0
        let isNAT64 = Array(head) == Self.nat64Prefix
        guard isMapped || isCompatible || isTranslated || isNAT64 else { return nil }
        return IPAddress(bytes[12], bytes[13], bytes[14], bytes[15])
    }

    /// The first 12 bytes of `64:ff9b::/96` (RFC 6052).
    private static let nat64Prefix: [UInt8] = [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]
}
