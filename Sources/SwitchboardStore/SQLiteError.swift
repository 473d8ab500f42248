import CSQLite

/// A failure reported by SQLite, or by this module's SQLite layer in SQLite's own terms.
///
/// Carries the primary and extended result codes, SQLite's message, and the SQL that was running
/// (when there was one), plus a ``Kind`` that tells the service how to react: a transient fault
/// (``isTransient``) is answered with 503 and clears by itself; anything else is a bug or bad data.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// How the service should treat a failure.
    public enum Kind: String, Sendable, Equatable {
        /// `SQLITE_BUSY` or `SQLITE_LOCKED`: another connection holds a lock past the busy timeout.
        case busy
        /// `SQLITE_READONLY` and its extended codes: the file, the connection or the directory refuses writes.
        case readOnly
        /// `SQLITE_FULL`: the disk (or a size limit) is full.
        case full
        /// `SQLITE_IOERR` and its extended codes: the operating system reported an I/O failure.
        case ioError
        /// `SQLITE_CONSTRAINT`: the statement broke a UNIQUE, NOT NULL, CHECK or FOREIGN KEY rule.
        case constraint
        /// `SQLITE_CORRUPT` or `SQLITE_NOTADB`: the file is damaged or is not a database.
        case corrupt
        /// `SQLITE_CANTOPEN`: the file (or its directory) cannot be opened.
        case cantOpen
        /// Anything else: a bad statement, a type mismatch, misuse.
        case other
    }

    /// The primary result code (`extendedCode & 0xff`), e.g. `SQLITE_BUSY`.
    public let code: Int32
    /// The extended result code, e.g. `SQLITE_IOERR_FSYNC`; equal to ``code`` when there is none.
    public let extendedCode: Int32
    /// SQLite's message (`sqlite3_errmsg`), or this module's own explanation.
    public let message: String
    /// The SQL being prepared or run, if any.
    public let sql: String?

    /// Creates an error from a result code. The primary code is derived from `extendedCode`.
    public init(extendedCode: Int32, message: String, sql: String? = nil) {
        self.code = extendedCode & 0xff
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// The classification of ``code``.
    public var kind: Kind {
        switch code {
        case SQLITE_BUSY, SQLITE_LOCKED: .busy
        case SQLITE_READONLY: .readOnly
        case SQLITE_FULL: .full
        case SQLITE_IOERR: .ioError
        case SQLITE_CONSTRAINT: .constraint
        case SQLITE_CORRUPT, SQLITE_NOTADB: .corrupt
        case SQLITE_CANTOPEN: .cantOpen
        default: .other
        }
    }

    /// Whether the fault is expected to clear without a code or data change (busy, locked, read-only,
    /// full, I/O). The service answers these with 503 and keeps running.
    public var isTransient: Bool {
        switch kind {
        case .busy, .readOnly, .full, .ioError: true
        case .constraint, .corrupt, .cantOpen, .other: false
        }
    }

    /// Whether the connection that reported this may be stuck in the fault after it clears, so it should be
    /// closed and reopened rather than reused: a connection opened while its file or file system refused
    /// writes stays read-only (`SQLITE_READONLY`), one whose file was replaced reports
    /// `SQLITE_READONLY_DBMOVED` for good, and after `SQLITE_IOERR` or `SQLITE_CANTOPEN` (a file system
    /// remounted read-only, a disk detached) a fresh open finds out whether the path works again.
    /// Busy and full faults clear on the same connection.
    public var warrantsReopen: Bool {
        switch kind {
        case .readOnly, .ioError, .cantOpen: true
        case .busy, .full, .constraint, .corrupt, .other: false
        }
    }

    public var description: String {
        var text = "SQLite error \(extendedCode) (\(kind.rawValue)): \(message)"
        if let sql { text += " [SQL: \(sql)]" }
        return text
    }
}

extension SQLiteError {
    /// The error a connection reports right now (`sqlite3_extended_errcode`, `sqlite3_errmsg`).
    ///
    /// Must be called on the thread using `handle`, before any other call on it.
    static func current(_ handle: OpaquePointer?, sql: String? = nil) -> SQLiteError {
        let code = handle.map { sqlite3_extended_errcode($0) } ?? SQLITE_ERROR
        return SQLiteError(extendedCode: code, message: message(handle, code: code), sql: sql)
    }

    /// The connection's message for `code`, falling back to SQLite's generic text for the code.
    static func message(_ handle: OpaquePointer?, code: Int32) -> String {
        // sqlite3_errmsg returns memory owned by the connection, valid until the next call: copy now.
        if let handle, let text = sqlite3_errmsg(handle) { return String(cString: text) }
        // sqlite3_errstr returns a static string.
        return sqlite3_errstr(code).map { String(cString: $0) } ?? "unknown error"
    }

    /// A column read asked for a type the value does not have (reported as `SQLITE_MISMATCH`).
    static func mismatch(_ message: String) -> SQLiteError {
        SQLiteError(extendedCode: SQLITE_MISMATCH, message: message)
    }

    /// A column index or name that the row does not have (reported as `SQLITE_RANGE`).
    static func range(_ message: String) -> SQLiteError {
        SQLiteError(extendedCode: SQLITE_RANGE, message: message)
    }
}

/// A failure of the store's own machinery rather than of SQLite.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The writer, read pool or database was closed before the work could run.
    case closed(String)
    /// The database file records a schema version newer than any migration this build knows.
    case schemaTooNew(databaseVersion: Int, knownVersion: Int)
    /// The migration list is malformed (non-positive or duplicate versions).
    case invalidMigrations(String)
    /// A migration's SQL failed; the migration was rolled back and later ones were not attempted.
    case migrationFailed(version: Int, name: String, error: SQLiteError)
    /// A reopened database file records another schema version than the one opened at start (the file
    /// was replaced underneath the running service).
    case schemaChanged(expected: Int, found: Int)

    public var description: String {
        switch self {
        case .closed(let what):
            "\(what) is closed"
        case .schemaTooNew(let databaseVersion, let knownVersion):
            "database schema version \(databaseVersion) is newer than this build knows (\(knownVersion)); refusing to open"
        case .invalidMigrations(let reason):
            "invalid migrations: \(reason)"
        case .migrationFailed(let version, let name, let error):
            "migration \(version) '\(name)' failed: \(error)"
        case .schemaChanged(let expected, let found):
            "the database file now records schema version \(found), not \(expected); it was replaced while open"
        }
    }
}
