import Foundation

/// Runs blocking work (sockets, waits, thread joins) on a dedicated thread and awaits its result.
///
/// Tests must not block Swift's cooperative pool: on a 2-core machine it has two threads, and a blocked
/// pool starves every `Task` in the process, including the server's own async handlers.
public func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// Runs `count` copies of `work` on their own threads (not GCD, whose pool is small here) and waits for all.
public func concurrently(_ count: Int, _ work: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            work(index)
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
}

/// Polls `condition` for up to `seconds`; returns whether it became true. For waiting on another
/// thread's progress without asserting on timing.
public func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}

/// A thread-safe array for collecting results from worker threads in tests.
public final class LockedArray<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Element] = []
    public init() {}
    public func append(_ element: Element) { lock.withLock { storage.append(element) } }
    public var values: [Element] { lock.withLock { storage } }
}

/// A unique, empty temporary directory, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String
    public init(prefix: String = "switchboard-test") throws {
        path = NSTemporaryDirectory() + "/\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    /// An existing directory, to be removed like a new one.
    public init(existing path: String) { self.path = path }
    public func file(_ name: String) -> String { path + "/" + name }
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
