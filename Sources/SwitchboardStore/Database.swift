import CSQLite
/// The store's entry point: one SQLite file with its schema migrated, one group-commit writer for
/// all writes, and a pool of read-only connections for queries.
///
/// Threading: every method may be called from any thread or task. Writes are serialized on the
/// writer thread (see ``GroupCommitWriter``); reads run on the caller's thread with a pooled
/// connection (see ``ReadPool``), never waiting for the writer.
public final class Database: Sendable {
    /// Settings for ``open(path:options:migrations:)``.
    public struct Options: Sendable {
        /// Applied to every connection (readers are always read-only). `readOnly` here opens the
        /// writer read-only too: migrations and writes then fail with `.readOnly`.
        public var connection: SQLiteConnection.Options
        /// Group-commit tuning.
        public var writer: GroupCommitWriter.Options
        /// The most read connections.
        public var readerCount: Int
        /// WAL checkpoints on a thread of their own (see ``WALCheckpointer``); nil leaves them to SQLite,
        /// inside the commit that crosses its threshold. Ignored for a read-only database.
        public var checkpointer: WALCheckpointer.Options?

        public init(connection: SQLiteConnection.Options = .init(), writer: GroupCommitWriter.Options = .init(),
                    readerCount: Int = 4, checkpointer: WALCheckpointer.Options? = .init()) {
            self.connection = connection
            self.writer = writer
            self.readerCount = readerCount
            self.checkpointer = checkpointer
        }
    }

    /// The database file.
    public let path: String
    /// The schema version after migrating.
    public let schemaVersion: Int
    /// The writer that owns the read-write connection.
    public let writer: GroupCommitWriter
    /// The read-only connections.
    public let readers: ReadPool
    /// The background checkpointer, unless ``Options/checkpointer`` was nil.
    public let checkpointer: WALCheckpointer?

    private init(path: String, schemaVersion: Int, writer: GroupCommitWriter, readers: ReadPool, checkpointer: WALCheckpointer?) {
        self.path = path
        self.schemaVersion = schemaVersion
        self.writer = writer
        self.readers = readers
        self.checkpointer = checkpointer
    }

    /// Opens (creating if needed) the database at `path`, whose parent directory must exist, applies
    /// the pending `migrations` (refusing a file newer than they know), and starts the writer.
    ///
    /// Throws ``SQLiteError`` when the file cannot be opened or configured, and ``StoreError`` for bad
    /// migrations, a failed migration, or a schema newer than this build.
    public static func open(path: String, options: Options = Options(), migrations: [Migration] = []) throws -> Database {
        let migrator = try Migrator(migrations)
        let connection = try SQLiteConnection(path: path, options: options.connection)
        let version: Int
        do {
            try migrator.migrate(connection)
            version = try Migrator.version(of: connection)
        } catch {
            connection.close()
            throw error
        }
        let readers = ReadPool(path: path, capacity: options.readerCount, options: options.connection)
        let checkpointer = options.checkpointer.flatMap { checkpointOptions in
            options.connection.readOnly ? nil : WALCheckpointer(options: checkpointOptions) { [connectionOptions = options.connection] in
                try reopen(path: path, options: connectionOptions, schemaVersion: version)
            }
        }
        prepareWriter(connection, checkpointer: checkpointer)
        // After a fault the writer reopens the same path (see `reopen`). Readers are retired first: they
        // may still see an old file, and SQLite shares one WAL index per file among a process's
        // connections, so a reader that mapped it read-only during the fault would leave the writer's
        // new connection read-only too.
        let writer = GroupCommitWriter(connection: connection, options: options.writer) { [connectionOptions = options.connection] in
            readers.discardConnections()
            let fresh = try reopen(path: path, options: connectionOptions, schemaVersion: version)
            prepareWriter(fresh, checkpointer: checkpointer)
            return fresh
        }
        return Database(path: path, schemaVersion: version, writer: writer, readers: readers, checkpointer: checkpointer)
    }

    /// Sets up a connection for the writer, the first or a reopened one: its WAL files outlive it
    /// (``SQLiteConnection/persistWAL()``), and its WAL size after each commit goes to `checkpointer`.
    /// The hook holds the connection unowned: it only runs inside that connection's own commits.
    private static func prepareWriter(_ connection: SQLiteConnection, checkpointer: WALCheckpointer?) {
        connection.persistWAL()
        guard let checkpointer else { return }
        connection.onWALCommit { [unowned connection] pages in
            checkpointer.walCommitted(pages: pages, writer: connection)
        }
    }

    /// Opens `path` again after a fault, for the writer: never creating a file there (a missing file is
    /// `.cantOpen`, not a new empty store), failing with `.readOnly` while the file still refuses writes,
    /// and refusing a file that no longer has `schemaVersion` (one replaced underneath the service) with
    /// ``StoreError/schemaChanged(expected:found:)``.
    static func reopen(path: String, options: SQLiteConnection.Options, schemaVersion: Int) throws -> SQLiteConnection {
        var options = options
        options.createIfMissing = false
        let fresh = try SQLiteConnection(path: path, options: options)
        do {
            // SQLite opens a file it may not write read-only without saying so; that is still the fault.
            guard !fresh.isReadOnly else {
                throw SQLiteError(extendedCode: SQLITE_READONLY, message: "'\(path)' opens read-only: the file or its file system refuses writes")
            }
            let found = try Migrator.version(of: fresh)
            guard found == schemaVersion else { throw StoreError.schemaChanged(expected: schemaVersion, found: found) }
        } catch {
            fresh.close()
            throw error
        }
        return fresh
    }

    /// Queues a write for the next group commit; see ``GroupCommitWriter/submit(_:completion:)``.
    /// `completion` runs on the writer thread after the commit is durable.
    public func submit<T>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T,
                          completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        writer.submit(body, completion: completion)
    }

    /// Runs a write in the next group commit and returns once it is durable; see ``GroupCommitWriter/write(_:)``.
    @discardableResult
    public func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await writer.write(body)
    }

    /// Runs queries on a pooled read-only connection in one snapshot; see ``ReadPool/read(_:)``.
    public func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try readers.read(body)
    }

    /// Finishes queued writes, stops the writer and closes every connection. Idempotent.
    public func close() {
        // The writer goes last: the last connection to close checkpoints the whole WAL into the file.
        readers.close()
        checkpointer?.stop()
        writer.close()
    }
}
