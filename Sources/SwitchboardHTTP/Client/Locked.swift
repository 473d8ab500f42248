import Foundation

/// A value guarded by a lock, for state shared between callers and the loop thread.
///
/// Uses `NSLock` (a pthread mutex) rather than `Synchronization.Mutex`: on Linux the latter is built on raw
/// futex calls that ThreadSanitizer cannot see, so every access it guards is reported as a race.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value. `body` must not call back into this lock.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
