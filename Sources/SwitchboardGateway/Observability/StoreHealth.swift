import Foundation
import SwitchboardCore
import SwitchboardStore

/// Whether the store works, for `GET /healthz`: a read through the pool (at most once a second; the
/// answer is cached in between so health checks stay cheap) and the outcome of the latest write.
final class StoreHealth: Sendable {
    private struct State {
        var checkedAt = 0.0
        var readError: String?
        var writeError: String?
        var probing = false
    }

    private let database: Database
    private let state = LockedValue(State())

    init(database: Database) { self.database = database }

    /// A write committed: the store accepts writes again.
    func writeSucceeded() { state.withLock { $0.writeError = nil } }

    func writeFailed(_ error: any Error) { state.withLock { $0.writeError = "\(error)" } }

    /// Nil when healthy, else what is wrong.
    func problem(now: Double = Date().timeIntervalSince1970) -> String? {
        let cached = state.withLock { state -> State? in now - state.checkedAt < 1 ? state : nil }
        if let cached { return cached.readError ?? cached.writeError }
        var readError: String?
        do {
            _ = try database.read { try $0.scalar("SELECT count(*) FROM sqlite_master", as: Int.self) }
        } catch {
            readError = "\(error)"
        }
        let (problem, probe) = state.withLock { state -> (String?, Bool) in
            state.checkedAt = now
            state.readError = readError
            let probe = state.writeError != nil && !state.probing
            if probe { state.probing = true }
            return (state.readError ?? state.writeError, probe)
        }
        // A remembered write failure is re-tested with an empty write transaction, so health recovers
        // when the store does, even with no traffic to show it.
        if probe {
            database.submit({ _ in }, completion: { [state] result in
                state.withLock { state in
                    state.probing = false
                    if case .success = result { state.writeError = nil }
                }
            })
        }
        return problem
    }
}
