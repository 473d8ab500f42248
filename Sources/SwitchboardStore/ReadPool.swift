import Foundation

/// A small pool of read-only connections, so queries run concurrently with each other and with the
/// writer (WAL lets readers proceed while a write transaction is open).
///
/// Connections are opened lazily, up to ``capacity``; a caller finding none idle waits for one.
///
/// Threading: ``read(_:)`` may be called from any thread; the connection it lends is used by that
/// caller alone until `read` returns, then goes back to the pool (the lock orders the hand-off).
/// The idle list and counts are guarded by one `NSCondition`, hence `@unchecked Sendable`.
public final class ReadPool: @unchecked Sendable {
    /// The database file.
    public let path: String
    /// The most connections the pool opens.
    public let capacity: Int
    private let options: SQLiteConnection.Options

    /// Guards `idle`, `openCount`, `generation` and `closed`.
    private let condition = NSCondition()
    private var idle: [Pooled] = []
    /// Bumped by ``discardConnections()``; a connection opened in an older generation is closed when it
    /// comes back instead of being reused.
    private var generation = 0
    /// Connections open or being opened, idle or lent out.
    private var openCount = 0
    private var closed = false

    /// A pool for the existing database at `path`. Connections open with `options`, forced read-only.
    public init(path: String, capacity: Int, options: SQLiteConnection.Options = .init()) {
        self.path = path
        self.capacity = max(1, capacity)
        var readOptions = options
        readOptions.readOnly = true
        self.options = readOptions
    }

    /// Runs `body` with a pooled read-only connection inside one read transaction, so all of its
    /// queries see the same snapshot. Blocks while every connection is lent out.
    ///
    /// The connection must not escape `body`. Throws ``StoreError/closed(_:)`` once the pool is closed.
    public func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let pooled = try acquire()
        do {
            let value = try pooled.connection.readTransaction(body)
            release(pooled)
            return value
        } catch {
            // A connection that met a lasting fault is replaced by a fresh open on a later read.
            release(pooled, discard: (error as? SQLiteError)?.warrantsReopen ?? false)
            throw error
        }
    }

    /// Closes the idle connections and retires the lent ones, so later reads open the file afresh.
    /// The writer calls this when it had to reopen the database after a fault: readers opened before
    /// it may still see the old file (one replaced, or a file system since remounted).
    public func discardConnections() {
        let toClose: [Pooled] = condition.withLock {
            generation += 1
            defer { idle = [] }
            openCount -= idle.count
            condition.broadcast()
            return idle
        }
        for pooled in toClose { pooled.connection.close() }
    }

    /// Closes idle connections now and lent ones as they come back; later reads fail. Idempotent.
    public func close() {
        let toClose: [Pooled] = condition.withLock {
            closed = true
            defer { idle = [] }
            openCount -= idle.count
            condition.broadcast()
            return idle
        }
        for pooled in toClose { pooled.connection.close() }
    }

    /// A lent or idle connection with the generation it was opened in.
    private struct Pooled {
        let connection: SQLiteConnection
        let generation: Int
    }

    private func acquire() throws -> Pooled {
        condition.lock()
        while true {
            guard !closed else {
                condition.unlock()
                throw StoreError.closed("read pool")
            }
            if let pooled = idle.popLast() {
                condition.unlock()
                return pooled
            }
            if openCount < capacity { break }
            condition.wait()
        }
        // Reserve the slot, then open outside the lock (opening touches the file system).
        openCount += 1
        let openedIn = generation
        condition.unlock()
        do {
            return Pooled(connection: try SQLiteConnection(path: path, options: options), generation: openedIn)
        } catch {
            condition.withLock {
                openCount -= 1
                condition.signal()
            }
            throw error
        }
    }

    private func release(_ pooled: Pooled, discard: Bool = false) {
        condition.lock()
        guard !closed, !discard, pooled.generation == generation else {
            openCount -= 1
            condition.signal()
            condition.unlock()
            pooled.connection.close()
            return
        }
        idle.append(pooled)
        condition.signal()
        condition.unlock()
    }
}
