import CShims
import Foundation
import SwitchboardCore

/// Request-body bytes buffered at once, in total and per client address (issue 13 §1).
///
/// A request with a declared `Content-Length` reserves it whole when its headers arrive (after the
/// route's preflight passed), so a stalled upload holds only what it was granted; a chunked body
/// reserves each chunk as it arrives. Everything a request reserved is given back when it ends.
/// Thread-safe: one short lock per reservation or release.
final class BodyBudget: Sendable {
    private struct State {
        var total = 0
        var perAddress: [String: Int] = [:]
        /// Bytes given back since the allocator was last asked to return free memory.
        var releasedSinceTrim = 0
    }

    let limit: Int
    let limitPerAddress: Int
    private let state = LockedValue(State())

    init(limit: Int, limitPerAddress: Int) {
        self.limit = limit
        self.limitPerAddress = limitPerAddress
    }

    /// Reserves `bytes` for `address`; false (nothing reserved) when either cap would be passed.
    func reserve(_ bytes: Int, for address: String) -> Bool {
        guard bytes > 0 else { return true }
        return state.withLock { state in
            let mine = state.perAddress[address, default: 0]
            guard state.total + bytes <= limit, mine + bytes <= limitPerAddress else { return false }
            state.total += bytes
            state.perAddress[address] = mine + bytes
            return true
        }
    }

    /// Gives back `bytes` reserved for `address`.
    func release(_ bytes: Int, for address: String) {
        guard bytes > 0 else { return }
        state.withLock { state in
            state.total -= bytes
            state.releasedSinceTrim += bytes
            let left = state.perAddress[address, default: 0] - bytes
            state.perAddress[address] = left > 0 ? left : nil
        }
    }

    /// Bytes reserved now, all addresses together.
    var inUse: Int { state.withLock { $0.total } }

    /// Asks the allocator to return free memory when at least `threshold` bytes were released since
    /// the last time. Bodies of 128 KiB and more are mmapped (see `ProcessResources`) and go back on
    /// their own; this returns the smaller ones and heap fragments. Called by the deadline sweep.
    func trimIfReleased(atLeast threshold: Int) {
        let due = state.withLock { state in
            guard state.releasedSinceTrim >= threshold else { return false }
            state.releasedSinceTrim = 0
            return true
        }
        if due { sb_memory_trim() }
    }
}
