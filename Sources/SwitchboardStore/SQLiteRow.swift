/// The column names of a result set, shared by all of its rows.
public struct SQLiteColumns: Sendable, Equatable {
    /// Column names in result order (`sqlite3_column_name`).
    public let names: [String]
    private let indexByName: [String: Int]

    init(names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        // The first column of a name wins, as in SQL's own resolution of duplicate result names.
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        indexByName = index
    }

    /// The position of `name`: an exact match first, then an ASCII case-insensitive one (SQL names
    /// are case-insensitive).
    public func index(of name: String) -> Int? {
        if let exact = indexByName[name] { return exact }
        let folded = name.lowercased()
        return names.firstIndex { $0.lowercased() == folded }
    }
}

/// One result row: values copied out of SQLite, readable by column index or name.
///
/// A row owns its values (no pointers into SQLite), so it outlives the statement and may cross threads.
public struct SQLiteRow: Sendable, Equatable {
    /// The result set's column names.
    public let columns: SQLiteColumns
    /// The values in column order.
    public let values: [SQLValue]

    init(columns: SQLiteColumns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The number of columns.
    public var count: Int { values.count }

    /// The raw value at `index`.
    public func value(at index: Int) throws(SQLiteError) -> SQLValue {
        guard values.indices.contains(index) else {
            throw .range("column index \(index) is out of range (row has \(values.count) columns)")
        }
        return values[index]
    }

    /// The raw value of the column named `name`.
    public func value(named name: String) throws(SQLiteError) -> SQLValue {
        guard let index = columns.index(of: name) else {
            throw .range("no column named '\(name)' (columns: \(columns.names.joined(separator: ", ")))")
        }
        return values[index]
    }

    /// The value at `index` decoded as `T`; throws a mismatch error if the storage class does not fit
    /// (read a nullable column as `T?`).
    public func get<T: SQLValueConvertible>(_ index: Int, as type: T.Type = T.self) throws(SQLiteError) -> T {
        try decode(value(at: index), as: type, column: "\(index)")
    }

    /// The value of the column named `name` decoded as `T`, as the index-based `get` does.
    public func get<T: SQLValueConvertible>(_ name: String, as type: T.Type = T.self) throws(SQLiteError) -> T {
        try decode(value(named: name), as: type, column: "'\(name)'")
    }

    private func decode<T: SQLValueConvertible>(_ value: SQLValue, as type: T.Type, column: String) throws(SQLiteError) -> T {
        guard let decoded = T(sqlValue: value) else {
            throw .mismatch("column \(column) holds \(value.typeName), which does not decode as \(T.self)")
        }
        return decoded
    }
}
