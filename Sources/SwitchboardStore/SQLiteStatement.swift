import CSQLite

/// `SQLITE_TRANSIENT`: a C macro Swift does not import. Tells SQLite to copy bound bytes before the
/// bind call returns, so Swift may free or move them afterwards.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One prepared statement (`sqlite3_stmt`), owned by the connection that prepared it.
///
/// Ownership: the statement is finalized by ``finalize()``, which the owning connection calls when
/// it evicts the statement from its cache or closes; `deinit` finalizes as a safety net. It is used
/// only on the thread currently using its connection.
final class SQLiteStatement {
    /// The prepared statement; nil once finalized.
    private(set) var handle: OpaquePointer?
    /// The SQL it was prepared from (the cache key).
    let sql: String
    /// True while a caller is stepping it; a busy statement is not handed out again.
    var inUse = false
    /// The connection's use tick at the last checkout, for least-recently-used eviction.
    var lastUse: UInt64 = 0

    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    deinit { finalize() }

    /// Releases the statement. Safe to call more than once.
    func finalize() {
        if let handle { sqlite3_finalize(handle) }
        handle = nil
    }

    private var connection: OpaquePointer? { handle.flatMap { sqlite3_db_handle($0) } }

    private func failure() -> SQLiteError { .current(connection, sql: sql) }

    /// Binds `bindings` to parameters 1...n; the count must match the statement's parameter count.
    func bind(_ bindings: [any SQLValueConvertible]) throws(SQLiteError) {
        guard let handle else { throw .range("statement is finalized") }
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard bindings.count == expected else {
            throw SQLiteError(extendedCode: SQLITE_RANGE,
                              message: "statement has \(expected) parameters, \(bindings.count) values given", sql: sql)
        }
        for (offset, binding) in bindings.enumerated() {
            let result = bind(binding.sqlValue, at: Int32(offset + 1), to: handle)
            guard result == SQLITE_OK else { throw failure() }
        }
    }

    private func bind(_ value: SQLValue, at index: Int32, to handle: OpaquePointer) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(handle, index)
        case .integer(let number):
            return sqlite3_bind_int64(handle, index, number)
        case .real(let number):
            return sqlite3_bind_double(handle, index, number)
        case .text(let string):
            // An empty buffer may have a nil base address, which SQLite would store as NULL: bind a
            // zero-length string from a valid pointer instead.
            guard !string.isEmpty else { return sqlite3_bind_text(handle, index, "", 0, transientDestructor) }
            var string = string
            return string.withUTF8 { bytes in
                sqlite3_bind_text64(handle, index, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                    sqlite3_uint64(bytes.count), transientDestructor, UInt8(SQLITE_UTF8))
            }
        case .blob(let bytes):
            // A NULL pointer would bind SQL NULL; a zero-length zeroblob is an empty BLOB.
            guard !bytes.isEmpty else { return sqlite3_bind_zeroblob(handle, index, 0) }
            return bytes.withUnsafeBytes { raw in
                sqlite3_bind_blob64(handle, index, raw.baseAddress, sqlite3_uint64(raw.count), transientDestructor)
            }
        }
    }

    /// Advances one step: true when a row is ready, false when the statement is done.
    func step() throws(SQLiteError) -> Bool {
        guard let handle else { throw .range("statement is finalized") }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw failure()
        }
    }

    /// The result column names of the current execution.
    func columns() -> SQLiteColumns {
        guard let handle else { return SQLiteColumns(names: []) }
        let count = sqlite3_column_count(handle)
        let names = (0..<count).map { index in
            // Owned by the statement until it is re-prepared or finalized: copy now.
            sqlite3_column_name(handle, index).map { String(cString: $0) } ?? ""
        }
        return SQLiteColumns(names: names)
    }

    /// Copies the current row out of SQLite. Call only after ``step()`` returned true.
    func row(columns: SQLiteColumns) -> SQLiteRow {
        guard let handle else { return SQLiteRow(columns: columns, values: []) }
        let values = (0..<Int32(columns.names.count)).map { column(at: $0, of: handle) }
        return SQLiteRow(columns: columns, values: values)
    }

    private func column(at index: Int32, of handle: OpaquePointer) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            // The pointer is valid until the next step/reset or type conversion; bytes are read after
            // the pointer, as SQLite documents, and copied.
            guard let text = sqlite3_column_text(handle, index) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            // A zero-length BLOB yields a NULL pointer; it is still an (empty) BLOB.
            guard let bytes = sqlite3_column_blob(handle, index) else { return .blob([]) }
            let count = Int(sqlite3_column_bytes(handle, index))
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default:
            return .null
        }
    }

    /// Resets the statement and clears its bindings, ending any read it holds open.
    func reset() {
        guard let handle else { return }
        // sqlite3_reset repeats the last step's error, which the caller has already seen.
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }
}
