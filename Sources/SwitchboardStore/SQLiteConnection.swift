import CSQLite
import Foundation

/// One SQLite connection with a prepared-statement cache.
///
/// Threading: the connection is opened with `SQLITE_OPEN_NOMUTEX` (SQLite's multi-thread mode), so
/// it must be used by one thread at a time. It may move between threads if each hand-off is ordered
/// by a lock or a thread start (the group-commit writer owns one for good; the read pool lends one
/// to a single caller at a time). The type is deliberately not `Sendable`.
///
/// Every statement is reset as soon as its result is read, so a connection never holds a read
/// snapshot open between calls (which would keep a WAL from being checkpointed).
public final class SQLiteConnection {
    /// How durable a commit is (`PRAGMA synchronous`).
    public enum Synchronous: String, Sendable {
        /// No fsync: a power loss may lose or corrupt recent commits.
        case off = "OFF"
        /// WAL fsynced only at checkpoints: a power loss may lose recent commits, never corrupts.
        case normal = "NORMAL"
        /// WAL fsynced at every commit: an acknowledged commit survives power loss.
        case full = "FULL"
        /// FULL plus a directory sync after the journal changes.
        case extra = "EXTRA"
    }

    /// Settings applied when a connection opens.
    public struct Options: Sendable {
        /// Durability of commits; FULL by default, so every acknowledged commit is durable.
        public var synchronous: Synchronous
        /// How long a statement waits for another connection's lock before failing with `.busy`.
        public var busyTimeout: Duration
        /// Opens with `SQLITE_OPEN_READONLY`; the file must already exist. Writes fail with `.readOnly`.
        public var readOnly: Bool
        /// How many prepared statements to keep; the least recently used is finalized beyond this.
        public var statementCacheCapacity: Int
        /// Creates the file when it is missing (read-write connections only). Off when reopening a
        /// store, so a missing file is an error rather than a new empty database.
        public var createIfMissing: Bool

        public init(synchronous: Synchronous = .full, busyTimeout: Duration = .seconds(5),
                    readOnly: Bool = false, statementCacheCapacity: Int = 64, createIfMissing: Bool = true) {
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
            self.readOnly = readOnly
            self.statementCacheCapacity = statementCacheCapacity
            self.createIfMissing = createIfMissing
        }
    }

    /// What a write statement did.
    public struct ExecuteResult: Sendable, Equatable {
        /// Rows changed by the statement (`sqlite3_changes64`).
        public let changes: Int
        /// The connection's last inserted rowid (`sqlite3_last_insert_rowid`); meaningful after an INSERT.
        public let lastInsertRowID: Int64

        public init(changes: Int, lastInsertRowID: Int64) {
            self.changes = changes
            self.lastInsertRowID = lastInsertRowID
        }
    }

    /// Counters of the statement cache, for tests and diagnostics.
    public struct StatementCacheStatistics: Sendable, Equatable {
        /// Statements compiled with `sqlite3_prepare_v3`.
        public var prepared = 0
        /// Checkouts answered from the cache without compiling.
        public var hits = 0
        /// Statements currently cached.
        public var cached = 0
    }

    /// The file path given to ``init(path:options:)``.
    public let path: String
    /// The options the connection was opened with.
    public let options: Options

    /// The `sqlite3*` handle; nil once closed. Owned by this object, closed by ``close()`` or `deinit`.
    private var handle: OpaquePointer?
    /// The handle for this module's extensions (nil once closed).
    var rawHandle: OpaquePointer? { handle }
    private var cache: [String: SQLiteStatement] = [:]
    private var useTick: UInt64 = 0
    private var counters = StatementCacheStatistics()
    /// Depth of ``savepoint(_:)`` nesting, for unique savepoint names.
    var savepointDepth = 0
    /// Called after each commit with the pages in the WAL; see ``onWALCommit(_:)``.
    var walCommitHandler: ((Int) -> Void)?

    /// Opens (creating if needed, unless read-only) the database at `path` and applies the options:
    /// WAL journal, `synchronous`, `busy_timeout`, `foreign_keys=ON`, extended result codes.
    ///
    /// The parent directory must exist; it is not created.
    public init(path: String, options: Options = Options()) throws(SQLiteError) {
        self.path = path
        self.options = options
        try Self.checkParentDirectory(of: path)
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= options.readOnly ? SQLITE_OPEN_READONLY
            : (SQLITE_OPEN_READWRITE | (options.createIfMissing ? SQLITE_OPEN_CREATE : 0))
        var opened: OpaquePointer?
        let result = sqlite3_open_v2(path, &opened, flags, nil)
        guard result == SQLITE_OK, let opened else {
            // Even a failed open may allocate a handle, which must be closed.
            let message = SQLiteError.message(opened, code: result)
            sqlite3_close_v2(opened)
            throw SQLiteError(extendedCode: result, message: "\(message): '\(path)'")
        }
        handle = opened
        do {
            try configure()
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    private static func checkParentDirectory(of path: String) throws(SQLiteError) {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SQLiteError(extendedCode: SQLITE_CANTOPEN,
                              message: "parent directory '\(parent)' of database '\(path)' does not exist")
        }
    }

    private func configure() throws(SQLiteError) {
        guard let handle else { return }
        sqlite3_extended_result_codes(handle, 1)
        let (seconds, attoseconds) = options.busyTimeout.components
        let milliseconds = max(0, min(Int64(Int32.max), seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        sqlite3_busy_timeout(handle, Int32(milliseconds))
        try exec("PRAGMA foreign_keys=ON")
        guard !options.readOnly else { return }
        // journal_mode answers with the mode now in force; anything but "wal" means it was refused.
        let mode = try scalar("PRAGMA journal_mode=WAL", as: String.self)
        guard mode?.lowercased() == "wal" else {
            throw SQLiteError(extendedCode: SQLITE_ERROR,
                              message: "journal_mode=WAL refused (mode is '\(mode ?? "unknown")') for '\(path)'")
        }
        try exec("PRAGMA synchronous=\(options.synchronous.rawValue)")
        // Under a steady load readers rarely let the WAL restart, so it grows (100 MB and more in a few
        // seconds of flood here); once it restarts, this truncates the file back to 64 MiB.
        try exec("PRAGMA journal_size_limit=67108864")
    }

    /// Finalizes every cached statement and closes the connection. Safe to call more than once.
    public func close() {
        for statement in cache.values { statement.finalize() }
        cache.removeAll()
        counters.cached = 0
        // close_v2 defers the close until any statement still checked out is finalized; the WAL hook
        // points at this object, so it goes first.
        if let handle {
            sqlite3_wal_hook(handle, nil, nil)
            sqlite3_close_v2(handle)
        }
        handle = nil
    }

    /// Whether the connection is open.
    public var isOpen: Bool { handle != nil }

    /// Whether the main database refuses writes on this connection (`sqlite3_db_readonly`): opened
    /// read-only, or opened read-write while the file or its file system refused writes, in which case
    /// SQLite quietly falls back to read-only. True once closed.
    public var isReadOnly: Bool {
        guard let handle else { return true }
        return sqlite3_db_readonly(handle, "main") != 0
    }

    /// Whether a transaction is open (`sqlite3_get_autocommit` is off).
    public var isInTransaction: Bool {
        guard let handle else { return false }
        return sqlite3_get_autocommit(handle) == 0
    }

    /// The statement cache's counters.
    public var statementCacheStatistics: StatementCacheStatistics { counters }

    // MARK: Running SQL

    /// Runs one statement with positional `?` bindings, stepping it to completion (rows are discarded).
    @discardableResult
    public func execute(_ sql: String, _ bindings: [any SQLValueConvertible] = []) throws(SQLiteError) -> ExecuteResult {
        let statement = try checkout(sql)
        defer { checkin(statement) }
        try statement.bind(bindings)
        while try statement.step() {}
        guard let handle else { throw Self.closedError(sql) }
        return ExecuteResult(changes: Int(sqlite3_changes64(handle)), lastInsertRowID: sqlite3_last_insert_rowid(handle))
    }

    /// Runs one query and returns all of its rows.
    public func query(_ sql: String, _ bindings: [any SQLValueConvertible] = []) throws(SQLiteError) -> [SQLiteRow] {
        let statement = try checkout(sql)
        defer { checkin(statement) }
        try statement.bind(bindings)
        let columns = statement.columns()
        var rows: [SQLiteRow] = []
        while try statement.step() { rows.append(statement.row(columns: columns)) }
        return rows
    }

    /// Runs one query and hands each row to `body` as it is stepped, without collecting them.
    ///
    /// `body` may run other statements on this connection (a statement still being stepped is never
    /// reused; a second one is compiled for the nested call). Errors from `body` stop the iteration
    /// and are rethrown as they are.
    public func forEach(_ sql: String, _ bindings: [any SQLValueConvertible] = [],
                        _ body: (SQLiteRow) throws -> Void) throws {
        let statement = try checkout(sql)
        defer { checkin(statement) }
        try statement.bind(bindings)
        let columns = statement.columns()
        while try statement.step() { try body(statement.row(columns: columns)) }
    }

    /// The first column of the first row decoded as `T`, or nil when there is no row.
    public func scalar<T: SQLValueConvertible>(_ sql: String, _ bindings: [any SQLValueConvertible] = [],
                                               as type: T.Type = T.self) throws(SQLiteError) -> T? {
        let statement = try checkout(sql)
        defer { checkin(statement) }
        try statement.bind(bindings)
        let columns = statement.columns()
        guard try statement.step() else { return nil }
        return try statement.row(columns: columns).get(0, as: type)
    }

    /// Runs a script of one or more `;`-separated statements without bindings (DDL, pragmas).
    /// Statements run until the first failure; earlier ones stay applied unless a transaction wraps them.
    public func exec(_ script: String) throws(SQLiteError) {
        guard let handle else { throw Self.closedError(script) }
        var message: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(handle, script, nil, nil, &message)
        // The message is allocated by SQLite with sqlite3_malloc: copy it, then sqlite3_free it.
        let text = message.map { String(cString: $0) }
        sqlite3_free(message)
        guard result == SQLITE_OK else {
            throw SQLiteError(extendedCode: sqlite3_extended_errcode(handle),
                              message: text ?? SQLiteError.message(handle, code: result), sql: script)
        }
    }

    // MARK: Statement cache

    /// A statement for `sql`, ready to bind: from the cache when one is cached and idle, else newly
    /// compiled (and cached, unless the cached one is busy in an enclosing call).
    private func checkout(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        guard let handle else { throw Self.closedError(sql) }
        useTick &+= 1
        if let cached = cache[sql], !cached.inUse {
            counters.hits += 1
            cached.inUse = true
            cached.lastUse = useTick
            return cached
        }
        var compiled: OpaquePointer?
        let result = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &compiled, nil)
        guard result == SQLITE_OK, let compiled else {
            if result == SQLITE_OK {  // Only whitespace or a comment: nothing to run.
                throw SQLiteError(extendedCode: SQLITE_MISUSE, message: "SQL contains no statement", sql: sql)
            }
            throw SQLiteError.current(handle, sql: sql)
        }
        counters.prepared += 1
        let statement = SQLiteStatement(handle: compiled, sql: sql)
        statement.inUse = true
        statement.lastUse = useTick
        if cache[sql] == nil {
            evictIfFull()
            cache[sql] = statement
            counters.cached = cache.count
        }
        return statement
    }

    /// Returns a statement after use: resets it, and finalizes it if it is not the cached one.
    private func checkin(_ statement: SQLiteStatement) {
        statement.reset()
        statement.inUse = false
        if cache[statement.sql] !== statement { statement.finalize() }
    }

    private func evictIfFull() {
        let capacity = max(1, options.statementCacheCapacity)
        while cache.count >= capacity {
            let idle = cache.values.filter { !$0.inUse }
            guard let oldest = idle.min(by: { $0.lastUse < $1.lastUse }) else { return }
            oldest.finalize()
            cache[oldest.sql] = nil
        }
    }

    static func closedError(_ sql: String?) -> SQLiteError {
        SQLiteError(extendedCode: SQLITE_MISUSE, message: "connection is closed", sql: sql)
    }
}
