/// `limits`: caps on what the management APIs let a client create.
///
/// ```json
/// "limits": {"max_endpoints": 10000}
/// ```
/// `max_endpoints` counts the live (undeleted) endpoints of both endpoint APIs (CallingBox
/// `/v1/webhook_endpoints` and OneInbox `/v1/webhooks`): creating one more is 422 `limit_exceeded`.
/// Routing cost does not grow with it (endpoints come from an index), but every endpoint is held in
/// memory and listed, so the default keeps a client that loops on create from growing them without end.
public struct LimitsConfig: Sendable, Equatable {
    public var maxEndpoints = 10_000

    public init() {}

    static func parse(_ reader: inout ConfigReader) throws -> LimitsConfig {
        var limits = LimitsConfig()
        limits.maxEndpoints = try reader.int("max_endpoints", range: 1...1_000_000) ?? limits.maxEndpoints
        try reader.finish()
        return limits
    }
}
