import Foundation
import SwitchboardCore
import SwitchboardStore

/// Whether the store works, for the health routes: a read through the pool (at most once a second; the
/// answer is cached in between so health checks stay cheap) and the outcome of the latest write.
///
/// A change of state is logged once, with the detail (`health check failing` with the error,
/// `health check recovered`), never per request: the detail is for operators, not for `/healthz`.
final class StoreHealth: Sendable {
    /// The name of the check in health answers and log lines.
    static let name = "store"

    private struct State {
        var checkedAt = 0.0
        var read: HealthCheck.Failure?
        var write: HealthCheck.Failure?
        var probing = false
        /// A read check is running: others answer from the last result meanwhile, so a flood of health
        /// requests while the store is slow holds at most one server thread in a read.
        var reading = false
        /// The failure last logged, so each change is logged once.
        var reported: HealthCheck.Failure?
    }

    private let database: Database
    private let logger: Logger?
    private let clock: @Sendable () -> Double
    private let state = LockedValue(State())

    init(database: Database, logger: Logger? = nil, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.database = database
        self.logger = logger
        self.clock = clock
    }

    /// A write committed: the store accepts writes again.
    func writeSucceeded() {
        let cleared = state.withLock { state -> Bool in
            guard state.write != nil else { return false }
            state.write = nil
            return true
        }
        if cleared { report() }
    }

    func writeFailed(_ error: any Error) {
        let now = clock()
        state.withLock { $0.write = HealthCheck.Failure(operation: "write", error: "\(error)", since: $0.write?.since ?? now) }
        report()
    }

    /// The store check now: a fresh read unless one ran within the last second or one is running.
    func check() -> HealthCheck {
        let now = clock()
        if let cached = state.withLock({ state -> HealthCheck? in
            if now - state.checkedAt < 1 || state.reading { return Self.check(state) }
            state.reading = true
            return nil
        }) { return cached }
        var readError: String?
        do {
            _ = try database.read { try $0.scalar("SELECT count(*) FROM sqlite_master", as: Int.self) }
        } catch {
            readError = "\(error)"
        }
        let (check, probe) = state.withLock { state -> (HealthCheck, Bool) in
            state.reading = false
            state.checkedAt = now
            state.read = readError.map { HealthCheck.Failure(operation: "read", error: $0, since: state.read?.since ?? now) }
            let probe = state.write != nil && !state.probing
            if probe { state.probing = true }
            return (Self.check(state), probe)
        }
        report()
        // A remembered write failure is re-tested with an empty write transaction, so health recovers
        // when the store does, even with no traffic to show it.
        if probe {
            database.submit({ _ in }, completion: { [self] result in
                state.withLock { state in
                    state.probing = false
                    if case .success = result { state.write = nil }
                }
                report()
            })
        }
        return check
    }

    private static func check(_ state: State) -> HealthCheck {
        HealthCheck(critical: true, failure: state.read ?? state.write, checkedAt: state.checkedAt)
    }

    /// Logs the check's state when it changed since last logged: the error text goes here, not to `/healthz`.
    private func report() {
        let change = state.withLock { state -> (HealthCheck.Failure?, HealthCheck.Failure?)? in
            let current = state.read ?? state.write
            // A new error text while failing is not a change: a failing store under load must not flood the log.
            guard current?.operation != state.reported?.operation else { return nil }
            defer { state.reported = current }
            return (state.reported, current)
        }
        guard let logger, let (before, now) = change else { return }
        if let now {
            logger.error("health check failing", ["check": .string(Self.name), "operation": .string(now.operation),
                                                  "error": .string(now.error)])
        } else if let before {
            logger.info("health check recovered", ["check": .string(Self.name), "operation": .string(before.operation),
                                                   "failing_since": .string(Timestamp.iso8601(before.since, fractionDigits: 3))])
        }
    }
}
