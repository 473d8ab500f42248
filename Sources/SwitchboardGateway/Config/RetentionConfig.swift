/// `retention`: how long finished history stays in the store, and how the sweep that removes it runs.
///
/// ```json
/// "retention": {"days": 30, "sweep_interval_seconds": 3600, "batch_size": 500}
/// ```
/// An event is removed, with its deliveries, their attempts and its once-per-call claims, when it was
/// received more than `days` ago and none of its deliveries is still pending; decisions older than that
/// go too, and endpoints deleted that long ago once no delivery refers to them. `days: 0` keeps
/// everything. Removing an event also removes its de-duplication key: a vendor resending it after
/// `days` would be accepted as new, so keep `days` well beyond any sender's retry window.
public struct RetentionConfig: Sendable, Equatable {
    /// Days of history to keep; 0 keeps everything.
    public var days = 30
    /// How often the sweep runs (the first run is one interval after start).
    public var sweepIntervalSeconds = 3600.0
    /// Events removed per transaction, so a sweep never holds the writer long.
    public var batchSize = 500

    public init() {}

    /// Whether anything is ever removed.
    public var isEnabled: Bool { days > 0 }

    static func parse(_ reader: inout ConfigReader) throws -> RetentionConfig {
        var retention = RetentionConfig()
        retention.days = try reader.int("days", range: 0...36_500) ?? retention.days
        retention.sweepIntervalSeconds = try reader.double("sweep_interval_seconds", range: 1...86_400)
            ?? retention.sweepIntervalSeconds
        retention.batchSize = try reader.int("batch_size", range: 1...100_000) ?? retention.batchSize
        try reader.finish()
        return retention
    }
}
