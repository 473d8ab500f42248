import SwitchboardCore

extension DeliveryConfig {
    /// The retry schedule and jitter as a ``RetryPolicy``.
    public var retryPolicy: RetryPolicy {
        RetryPolicy(scheduleSeconds: retryScheduleSeconds, jitter: jitter)
    }

    /// `allow_private_networks` and `allow_cidrs` as an ``OutboundPolicy``. Parsing the configuration
    /// already refused bad ranges, so this throws only for a value built by hand.
    public func outboundPolicy() throws(CIDRError) -> OutboundPolicy {
        try OutboundPolicy(allowPrivateNetworks: allowPrivateNetworks, allowCIDRs: allowCIDRs)
    }
}
