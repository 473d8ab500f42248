/// The due deliveries the deliverer's last query read, kept so that a wake-up that frees one slot can
/// be served without querying again (see `Deliverer`). Each row was the oldest pending delivery of its
/// call and destination when read, and stays so until it is attempted, so serving it later keeps a
/// call's events in order; the send path re-checks each row (`DeliveryRecords.isStillDue`).
struct DueBacklog {
    /// How long rows read by one query may be served before the next query must look again.
    static let maximumAge = 0.1

    private var rows: [DueDelivery] = []
    private var readAt = -Double.infinity

    /// Whether rows are left and were read less than ``maximumAge`` ago.
    func isFresh(at now: Double) -> Bool { !rows.isEmpty && now - readAt < Self.maximumAge }

    /// Replaces the rows with a new query's.
    mutating func refill(_ rows: [DueDelivery], at now: Double) {
        self.rows = rows
        readAt = now
    }

    /// Offers each row, in order, to `handled`; rows it handled (returned true for) are removed.
    mutating func take(_ handled: (DueDelivery) -> Bool) {
        rows.removeAll(where: handled)
    }
}
