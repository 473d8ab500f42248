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

    /// Guards `idle`, `openCount` and `closed`.
    private let condition = NSCondition()
    private var idle: [SQLiteConnection] = []
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
        let connection = try acquire()
        defer { release(connection) }
        return try connection.readTransaction(body)
    }

    /// Closes idle connections now and lent ones as they come back; later reads fail. Idempotent.
    public func close() {
        let toClose: [SQLiteConnection] = condition.withLock {
            closed = true
            defer { idle = [] }
            openCount -= idle.count
            condition.broadcast()
            return idle
        }
        for connection in toClose { connection.close() }
    }

    private func acquire() throws -> SQLiteConnection {
        condition.lock()
        while true {
            guard !closed else {
                condition.unlock()
                throw StoreError.closed("read pool")
            }
            if let connection = idle.popLast() {
                condition.unlock()
                return connection
            }
            if openCount < capacity { break }
            condition.wait()
        }
        // Reserve the slot, then open outside the lock (opening touches the file system).
        openCount += 1
        condition.unlock()
        do {
            return try SQLiteConnection(path: path, options: options)
        } catch {
            condition.withLock {
                openCount -= 1
                condition.signal()
            }
            throw error
        }
    }

    private func release(_ connection: SQLiteConnection) {
        condition.lock()
        guard !closed else {
            openCount -= 1
            condition.unlock()
            connection.close()
            return
        }
        idle.append(connection)
        condition.signal()
        condition.unlock()
    }
}
