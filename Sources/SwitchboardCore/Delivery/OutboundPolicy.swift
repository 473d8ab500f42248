/// What ``OutboundPolicy/check(_:)`` decided about one address.
public enum OutboundDecision: Sendable, Hashable, CustomStringConvertible {
    case allowed
    /// Refused, with the category that made it so.
    case refused(AddressCategory)

    public var isAllowed: Bool { self == .allowed }

    public var description: String {
        switch self {
        case .allowed: "allowed"
        case .refused(let category): "refused: \(category)"
        }
    }
}

/// The SSRF guard for outbound webhooks: which resolved addresses a delivery may connect to.
///
/// Refused: every address ``AddressCategory/of(_:)`` names (private, loopback, link-local, carrier-grade
/// NAT, cloud metadata, multicast, unspecified, broadcast, benchmarking, documentation, 6to4, Teredo,
/// reserved). Allowed: globally routed unicast, plus
///
/// - everything, when `allowPrivateNetworks` is set (development: a receiver on localhost);
/// - addresses inside one of `allowCIDRs`. An IPv4 range also allows the IPv6 forms that carry its
///   addresses (`10.0.0.0/8` allows `::ffff:10.1.2.3` and `64:ff9b::a01:203`), and an IPv4-mapped range
///   (`::ffff:10.0.0.0/104`) is the IPv4 range itself.
///
/// Pure and cheap: it runs on the HTTP client's loop thread for every new connection.
public struct OutboundPolicy: Sendable, Hashable {
    public let allowPrivateNetworks: Bool
    public let allowedRanges: [CIDRRange]

    /// Parses `allowCIDRs`; throws the first one that is not `address/prefix`.
    public init(allowPrivateNetworks: Bool = false, allowCIDRs: [String]) throws(CIDRError) {
        var ranges: [CIDRRange] = []
        for text in allowCIDRs { ranges.append(try CIDRRange(text)) }
        self.init(allowPrivateNetworks: allowPrivateNetworks, allowedRanges: ranges)
    }

    /// A policy from ranges already parsed; `OutboundPolicy()` is the strict default.
    public init(allowPrivateNetworks: Bool = false, allowedRanges: [CIDRRange] = []) {
        self.allowPrivateNetworks = allowPrivateNetworks
        self.allowedRanges = allowedRanges
    }

    /// Whether a connection to `address` may be made, and if not, why.
    public func check(_ address: IPAddress) -> OutboundDecision {
        if allowPrivateNetworks { return .allowed }
        guard let category = AddressCategory.of(address) else { return .allowed }
        return isExplicitlyAllowed(address) ? .allowed : .refused(category)
    }

    private func isExplicitlyAllowed(_ address: IPAddress) -> Bool {
        let embedded = address.embeddedIPv4
        return allowedRanges.contains { range in
            range.contains(address) || embedded.map(range.contains) == true
        }
    }
}
