import Foundation

/// Checkpoints the WAL on a thread of its own, so the group-commit writer's commits do not carry the
/// checkpoint's I/O (copying WAL pages into the database file and syncing it).
///
/// The writer's connection reports its WAL size after every commit (``SQLiteConnection/onWALCommit(_:)``,
/// installed by ``Database``): past ``Options/pages`` this checkpointer is asked to run a PASSIVE
/// checkpoint on its own connection, which never blocks the writer. Should it fall far behind (past
/// ``Options/writerPages``, e.g. while its connection cannot open), the writer checkpoints inline, as
/// SQLite's automatic checkpoint would, so the WAL cannot grow without bound.
///
/// Threading: ``request()`` may be called from any thread (the writer calls it inside its commit); the
/// flag and counters are guarded by one `NSCondition`; the connection is used only by the checkpointer
/// thread. Hence `@unchecked Sendable`.
public final class WALCheckpointer: @unchecked Sendable {
    /// When to checkpoint.
    public struct Options: Sendable {
        /// WAL pages after which the checkpointer runs (SQLite's own automatic threshold is 1,000).
        public var pages: Int
        /// WAL pages after which the writer checkpoints inline, the checkpointer having fallen behind.
        public var writerPages: Int

        public init(pages: Int = 1_000, writerPages: Int = 16_000) {
            self.pages = pages
            self.writerPages = writerPages
        }
    }

    /// Counters since start.
    public struct Statistics: Sendable, Equatable {
        /// Checkpoints run by this thread.
        public var checkpoints = 0
        /// Checkpoints that met a lock and did nothing (a PASSIVE checkpoint never waits); the next
        /// commit past the threshold asks again.
        public var busy = 0
        /// Checkpoints that failed (the connection is reopened for the next).
        public var failures = 0
        /// The last failure's description.
        public var lastFailure: String?
    }

    public let options: Options
    private let open: @Sendable () throws -> SQLiteConnection
    private let condition = NSCondition()
    private var requested = false
    private var stopping = false
    private var running = false
    private var counters = Statistics()

    /// `open` makes the checkpointer's own read-write connection (called on its thread, again after a failure).
    public init(options: Options = Options(), open: @escaping @Sendable () throws -> SQLiteConnection) {
        self.options = options
        self.open = open
        running = true
        let thread = Thread { [self] in runLoop() }
        thread.name = "switchboard.store.checkpointer"
        thread.start()
    }

    public var statistics: Statistics { condition.withLock { counters } }

    /// The handler for the writer's ``SQLiteConnection/onWALCommit(_:)``: asks for a checkpoint past
    /// ``Options/pages``, and checkpoints `writer` inline past ``Options/writerPages``.
    public func walCommitted(pages: Int, writer: SQLiteConnection) {
        if pages >= options.writerPages { _ = try? writer.checkpointPassive() }
        if pages >= options.pages { request() }
    }

    /// Asks for a checkpoint soon; requests made while one is pending or running coalesce.
    public func request() {
        condition.withLock {
            requested = true
            condition.signal()
        }
    }

    /// Stops the thread after the checkpoint in progress, and closes its connection. Idempotent.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private func runLoop() {
        var connection: SQLiteConnection?
        while waitForRequest() {
            do {
                let current = try connection ?? open()
                connection = current
                try current.checkpointPassive()
                condition.withLock { counters.checkpoints += 1 }
            } catch let error as SQLiteError where error.kind == .busy {
                condition.withLock { counters.busy += 1 }
            } catch {
                // The writer reports store faults to the service; this one only retries on the next request.
                connection?.close()
                connection = nil
                condition.withLock {
                    counters.failures += 1
                    counters.lastFailure = "\(error)"
                }
            }
        }
        connection?.close()
        condition.withLock {
            running = false
            condition.broadcast()
        }
    }

    /// Waits for a request; false once stopping.
    private func waitForRequest() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !requested, !stopping { condition.wait() }
        requested = false
        return !stopping
    }
}
