/// The kinds of address an outbound webhook must not reach unless configured to: everything that is not
/// a globally routed unicast address, and the cloud metadata services.
///
/// Decisions beyond the obvious ones (documented here so a refusal can be traced to a line):
///
/// - Documentation (`192.0.2.0/24`, `198.51.100.0/24`, `203.0.113.0/24`, `2001:db8::/32`, `3fff::/20`)
///   and benchmarking (`198.18.0.0/15`, `2001:2::/48`) ranges are refused: never on the Internet, so a
///   host resolving there is misconfigured or pointing into a local network (some VPN and "fake IP" DNS
///   set-ups hand out `198.18.0.0/15`).
/// - `192.0.0.0/24` (IETF protocol assignments, DS-Lite, NAT64 discovery), `192.88.99.0/24` (the
///   deprecated 6to4 relay anycast), `240.0.0.0/4`, `100::/64` (discard-only), `2001::/23` (IETF protocol
///   assignments, ORCHID) and every IPv6 address outside `2000::/3` (unassigned) are "reserved".
/// - Metadata is named before the range that holds it: `169.254.169.254` (AWS, GCP, Azure, Oracle,
///   DigitalOcean), `169.254.170.2` (AWS ECS task credentials), `100.100.100.200` (Alibaba Cloud),
///   `168.63.129.16` (Azure WireServer, a public address reachable only from inside Azure) and
///   `fd00:ec2::254` (AWS IPv6).
/// - IPv4-mapped, IPv4-compatible, SIIT-translated and NAT64 (`64:ff9b::/96`) IPv6 addresses take the
///   category of the IPv4 address they carry (``IPAddress/embeddedIPv4``); `::ffff:127.0.0.1` is loopback.
///   The local-use NAT64 prefix `64:ff9b:1::/48` (RFC 8215) is private.
/// - 6to4 (`2002::/16`) and Teredo (`2001::/32`) are refused whole rather than unwrapped: both tunnel to
///   an IPv4 address the kernel or a relay picks, neither is where a webhook receiver lives today.
/// - Site-local `fec0::/10` (deprecated, formerly IPv6's private space) is refused.
public enum AddressCategory: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case unspecified
    case loopback
    case privateNetwork = "private"
    case siteLocal = "site-local"
    case carrierGradeNAT = "carrier-grade NAT"
    case linkLocal = "link-local"
    case metadata
    case multicast
    case broadcast
    case benchmarking
    case documentation
    case sixToFour = "6to4"
    case teredo = "Teredo"
    case reserved

    /// A phrase for messages: "a loopback address", "a cloud metadata address".
    public var description: String {
        switch self {
        case .metadata: "a cloud metadata address"
        case .carrierGradeNAT: "a carrier-grade NAT (shared) address"
        case .sixToFour: "a 6to4 tunnel address"
        case .teredo: "a Teredo tunnel address"
        case .unspecified: "an unspecified address"
        default: "a \(rawValue) address"
        }
    }

    /// The category of `address`, or nil for a globally routed unicast address.
    public static func of(_ address: IPAddress) -> AddressCategory? {
        if let v4 = address.embeddedIPv4 { return of(v4) }
        let table = address.family == .ipv4 ? ipv4Table : ipv6Table
        if let match = table.first(where: { $0.range.contains(address) }) { return match.category }
        if address.family == .ipv6, !globalUnicast.contains(address) { return .reserved }
        return nil
    }

    private typealias Entry = (range: CIDRRange, category: AddressCategory)

    /// First match wins: the more specific ranges come first.
    private static let ipv4Table: [Entry] = entries([
        ("169.254.169.254/32", .metadata), ("169.254.170.2/32", .metadata),
        ("100.100.100.200/32", .metadata), ("168.63.129.16/32", .metadata),
        ("255.255.255.255/32", .broadcast),
        ("0.0.0.0/8", .unspecified),
        ("127.0.0.0/8", .loopback),
        ("10.0.0.0/8", .privateNetwork), ("172.16.0.0/12", .privateNetwork), ("192.168.0.0/16", .privateNetwork),
        ("100.64.0.0/10", .carrierGradeNAT),
        ("169.254.0.0/16", .linkLocal),
        ("224.0.0.0/4", .multicast),
        ("198.18.0.0/15", .benchmarking),
        ("192.0.2.0/24", .documentation), ("198.51.100.0/24", .documentation), ("203.0.113.0/24", .documentation),
        ("192.0.0.0/24", .reserved), ("192.88.99.0/24", .reserved), ("240.0.0.0/4", .reserved),
    ])

    private static let ipv6Table: [Entry] = entries([
        ("fd00:ec2::254/128", .metadata),
        ("::/128", .unspecified),
        ("::1/128", .loopback),
        ("fc00::/7", .privateNetwork), ("64:ff9b:1::/48", .privateNetwork),
        ("fec0::/10", .siteLocal),
        ("fe80::/10", .linkLocal),
        ("ff00::/8", .multicast),
        ("2001::/32", .teredo),
        ("2001:2::/48", .benchmarking),
        ("2001:db8::/32", .documentation), ("3fff::/20", .documentation),
        ("2002::/16", .sixToFour),
        ("2001::/23", .reserved), ("100::/64", .reserved),
    ])

    /// IANA's global unicast block; IPv6 outside it (and outside the table) is unassigned.
    private static let globalUnicast = entries([("2000::/3", .reserved)])[0].range

    private static func entries(_ list: [(String, AddressCategory)]) -> [Entry] {
        list.map { text, category in
            guard let range = try? CIDRRange(text) else { preconditionFailure("bad built-in range \(text)") }
            return (range, category)
        }
    }
}
