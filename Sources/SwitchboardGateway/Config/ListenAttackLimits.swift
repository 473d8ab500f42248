/// The `listen` keys that bound what one client can take (issue 13 §1): connections per address,
/// total header and body deadlines, and request bodies buffered at once.
///
/// ```json
/// "listen": {"connection_limit_per_ip": 256, "header_timeout_ms": 10000, "body_timeout_ms": 30000,
///            "max_inflight_body_bytes": 268435456, "max_inflight_body_bytes_per_ip": 33554432}
/// ```
extension GatewayConfig.Listen {
    mutating func parseAttackLimits(_ listen: inout ConfigReader) throws {
        connectionLimitPerIP = try listen.int("connection_limit_per_ip", range: 1...1_000_000) ?? connectionLimitPerIP
        headerTimeoutMilliseconds = try listen.int("header_timeout_ms", range: 100...3_600_000) ?? headerTimeoutMilliseconds
        bodyTimeoutMilliseconds = try listen.int("body_timeout_ms", range: 100...3_600_000) ?? bodyTimeoutMilliseconds
        maxInflightBodyBytes = try listen.int("max_inflight_body_bytes", range: 1...(1 << 40)) ?? maxInflightBodyBytes
        maxInflightBodyBytesPerIP = try listen.int("max_inflight_body_bytes_per_ip", range: 1...(1 << 40))
            ?? maxInflightBodyBytesPerIP
    }
}
