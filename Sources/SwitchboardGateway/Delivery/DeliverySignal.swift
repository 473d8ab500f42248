import Foundation

/// Wakes the deliverer when work may be due: after an ingest commit, a redelivery, a test send, an
/// endpoint re-enabled. The deliverer otherwise sleeps until its next scheduled attempt (no polling loop).
public final class DeliverySignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending = false

    public init() {}

    /// Marks work as possibly due and wakes the waiter. Cheap; safe from any thread.
    public func notify() {
        condition.lock()
        pending = true
        condition.signal()
        condition.unlock()
    }

    /// Waits until notified or `deadline`; returns true when notified. Clears the notification.
    public func wait(until deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !pending {
            if !condition.wait(until: deadline) { break }
        }
        let notified = pending
        pending = false
        return notified
    }
}
