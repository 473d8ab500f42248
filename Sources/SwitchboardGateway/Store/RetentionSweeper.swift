import Foundation
import SwitchboardCore
import SwitchboardStore

/// Removes history older than ``RetentionConfig/days`` on a thread of its own, every
/// ``RetentionConfig/sweepIntervalSeconds``, in batches of ``RetentionConfig/batchSize`` events, each
/// batch one item of the group-commit writer (see ``RetentionRecords``).
///
/// Threading: ``start()``, ``stop()`` and ``sweep()`` may be called from any thread; the schedule's
/// state is guarded by one `NSCondition`, hence `@unchecked Sendable`. ``sweep()`` blocks its caller
/// until the batches are committed.
final class RetentionSweeper: @unchecked Sendable {
    private let database: Database
    private let config: RetentionConfig
    private let logger: Logger
    private let metrics: Metrics
    private let clock: @Sendable () -> Double
    /// Guards `stopping` and `running`.
    private let condition = NSCondition()
    private var stopping = false
    private var running = false

    init(database: Database, config: RetentionConfig, logger: Logger, metrics: Metrics,
         clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.database = database
        self.config = config
        self.logger = logger
        self.metrics = metrics
        self.clock = clock
    }

    /// Starts the schedule; does nothing when retention keeps everything.
    func start() {
        guard config.isEnabled else { return }
        condition.withLock { running = true }
        let thread = Thread { [self] in runLoop() }
        thread.name = "switchboard.retention"
        thread.start()
    }

    /// Stops the schedule, waiting for a batch in progress to commit. Idempotent.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    /// One sweep now: batches until one removes fewer than the batch size (or ``stop()`` is called);
    /// nothing when retention keeps everything. Returns what was removed; throws the store's error if a batch could not commit.
    @discardableResult
    func sweep() throws -> RetentionRecords.Removed {
        guard config.isEnabled else { return RetentionRecords.Removed() }
        let cutoff = clock() - Double(config.days) * 86_400
        let limit = config.batchSize
        var total = RetentionRecords.Removed()
        while !condition.withLock({ stopping }) {
            let batch = try commit { try RetentionRecords.removeBatch($0, cutoff: cutoff, limit: limit) }
            total += batch
            metrics.recordRetention(batch)
            if batch.events < limit && batch.decisions < limit { break }
        }
        return total
    }

    private func runLoop() {
        while waitForNextSweep() {
            let started = Date()
            do {
                let removed = try sweep()
                if removed.total > 0 {
                    logger.info("retention sweep", ["events": .int(removed.events), "deliveries": .int(removed.deliveries),
                                                    "attempts": .int(removed.attempts), "claims": .int(removed.claims),
                                                    "decisions": .int(removed.decisions), "endpoints": .int(removed.endpoints),
                                                    "seconds": .double(Date().timeIntervalSince(started))])
                }
            } catch {
                // A store fault (full disk, read-only) ends this sweep; the next interval tries again.
                logger.warn("retention sweep not committed", ["error": .string("\(error)")])
            }
        }
        condition.withLock {
            running = false
            condition.broadcast()
        }
    }

    /// Sleeps one interval; false once stopping.
    private func waitForNextSweep() -> Bool {
        let deadline = Date(timeIntervalSinceNow: config.sweepIntervalSeconds)
        condition.lock()
        defer { condition.unlock() }
        while !stopping, condition.wait(until: deadline) {}
        return !stopping
    }

    /// Runs `body` as one writer item and waits for its commit.
    private func commit<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = LockedValue<Result<T, any Error>>(.failure(StoreError.closed("retention sweep")))
        database.submit(body) { outcome in
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0 }.get()
    }
}
