import Foundation
import SwitchboardStore
import Testing

@Suite("SQLite connection")
struct SQLiteConnectionTests {
    /// Stores `value` in an untyped column (no affinity conversions) and reads it back.
    private func roundTrip(_ value: SQLValue, on connection: SQLiteConnection) throws -> (SQLValue, String?) {
        let id = try connection.execute("INSERT INTO v (x) VALUES (?)", [value]).lastInsertRowID
        let row = try #require(try connection.query("SELECT x, typeof(x) AS type FROM v WHERE id = ?", [id]).first)
        return (try row.value(at: 0), try row.get("type", as: String?.self))
    }

    @Test("typed values round-trip unchanged, including edge cases")
    func bindingRoundTrips() async throws {
        try await withConnection { connection, _ in
            try connection.exec("CREATE TABLE v (id INTEGER PRIMARY KEY, x)")
            let largeBlob = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let cases: [(SQLValue, String)] = [
                (.null, "null"),
                (.integer(.min), "integer"),
                (.integer(.max), "integer"),
                (.real(3.141592653589793), "real"),
                (.real(-1e-300), "real"),
                (.text("héllo, 世界 🌍 \u{301}"), "text"),
                (.text(""), "text"),
                (.text("nul\u{0}inside"), "text"),
                (.blob([]), "blob"),
                (.blob([0, 1, 255]), "blob"),
                (.blob(largeBlob), "blob"),
            ]
            for (value, type) in cases {
                let (stored, storedType) = try roundTrip(value, on: connection)
                #expect(stored == value)
                #expect(storedType == type, "\(value.typeName) stored as \(storedType ?? "?")")
            }
        }
    }

    @Test("Swift conveniences bind and decode: Int, Bool, Double, String, bytes, optionals")
    func convenienceBindings() async throws {
        try await withConnection { connection, _ in
            try connection.exec("CREATE TABLE t (i INTEGER, b INTEGER, d REAL, s TEXT, y BLOB, n TEXT)")
            let missing: String? = nil
            let bytes: [UInt8] = [9, 8, 7]
            try connection.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", [42, true, 2.5, "text", bytes, missing])
            try connection.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", [SQLValue.null, false, 1, SQLValue("x"), [UInt8](), "set"])
            let rows = try connection.query("SELECT * FROM t ORDER BY rowid")
            #expect(rows.count == 2)
            #expect(try rows[0].get("i", as: Int.self) == 42)
            #expect(try rows[0].get("b", as: Bool.self) == true)
            #expect(try rows[0].get("d", as: Double.self) == 2.5)
            #expect(try rows[0].get("S", as: String.self) == "text", "names match case-insensitively")
            #expect(try rows[0].get("y", as: [UInt8].self) == bytes)
            #expect(try rows[0].get("n", as: String?.self) == nil)
            #expect(try rows[1].get(0, as: Int?.self) == nil)
            #expect(try rows[1].get(1, as: Bool.self) == false)
            #expect(try rows[1].get(2, as: Double.self) == 1.0, "REAL affinity")
            #expect(try rows[1].get(4, as: [UInt8].self) == [])
            #expect(try rows[1].get(5, as: String?.self) == "set")
            #expect(rows[0].columns.names == ["i", "b", "d", "s", "y", "n"])
        }
    }

    @Test("reading a column as the wrong type or a missing column throws, never traps")
    func badColumnAccess() async throws {
        try await withConnection { connection, _ in
            let row = try #require(try connection.query("SELECT 'text' AS word, NULL AS absent_value").first)
            #expect(throws: SQLiteError.self) { try row.get("word", as: Int.self) }
            #expect(throws: SQLiteError.self) { try row.get("absent_value", as: String.self) }
            #expect(throws: SQLiteError.self) { try row.get("absent", as: String.self) }
            #expect(throws: SQLiteError.self) { try row.get(7, as: String.self) }
            let error = #expect(throws: SQLiteError.self) { try connection.execute("SELECT ?", [1, 2]) }
            #expect(error?.kind == .other)
            #expect(error?.sql == "SELECT ?")
            #expect(throws: SQLiteError.self) { try connection.execute("NOT SQL") }
        }
    }

    @Test("execute reports changes and the last insert rowid; forEach streams rows")
    func executeAndStream() async throws {
        try await withConnection { connection, _ in
            try connection.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER); CREATE INDEX t_n ON t (n);")
            for n in 1...5 {
                let result = try connection.execute("INSERT INTO t (n) VALUES (?)", [n])
                #expect(result == .init(changes: 1, lastInsertRowID: Int64(n)))
            }
            #expect(try connection.execute("UPDATE t SET n = n * 10 WHERE n > ?", [2]).changes == 3)
            var seen: [Int] = []
            try connection.forEach("SELECT n FROM t ORDER BY id") { seen.append(try $0.get(0)) }
            #expect(seen == [1, 2, 30, 40, 50])
            #expect(try connection.scalar("SELECT n FROM t WHERE id = ?", [99], as: Int.self) == nil)
        }
    }

    @Test("the statement cache reuses a statement for the same SQL text")
    func statementCacheReuse() async throws {
        try await withConnection(options: .init(statementCacheCapacity: 2)) { connection, _ in
            let start = connection.statementCacheStatistics
            let sql = "SELECT ? + 1"
            #expect(try connection.scalar(sql, [1], as: Int.self) == 2)
            #expect(try connection.scalar(sql, [2], as: Int.self) == 3)
            var stats = connection.statementCacheStatistics
            #expect(stats.prepared == start.prepared + 1)
            #expect(stats.hits == start.hits + 1)

            // A nested use of a statement that is still being stepped gets its own, uncached copy.
            var inner: [Int] = []
            try connection.forEach("SELECT 1 UNION ALL SELECT 2") { _ in
                try connection.forEach("SELECT 1 UNION ALL SELECT 2") { inner.append(try $0.get(0)) }
            }
            #expect(inner == [1, 2, 1, 2])
            stats = connection.statementCacheStatistics
            // One compile for the outer statement (cached), one per outer row for the busy inner copy.
            #expect(stats.prepared == start.prepared + 4)
            #expect(try connection.scalar(sql, [3], as: Int.self) == 4)
            #expect(connection.statementCacheStatistics.prepared == start.prepared + 4, "still cached")
            #expect(stats.cached <= 2, "capacity bounds the cache")
        }
    }

    @Test("opening under a missing directory fails clearly; pragmas are applied")
    func openChecksAndPragmas() async throws {
        try await withTemporaryDirectory { directory in
            let missing = directory.file("nope/store.db")
            let error = #expect(throws: SQLiteError.self) { try SQLiteConnection(path: missing) }
            #expect(error?.kind == .cantOpen)
            #expect(error?.message.contains("does not exist") == true)

            let connection = try SQLiteConnection(path: directory.file("p.db"), options: .init(synchronous: .normal))
            defer { connection.close() }
            #expect(try connection.scalar("PRAGMA journal_mode", as: String.self) == "wal")
            #expect(try connection.scalar("PRAGMA synchronous", as: Int.self) == 1)
            #expect(try connection.scalar("PRAGMA foreign_keys", as: Bool.self) == true)
            #expect(try connection.scalar("PRAGMA busy_timeout", as: Int.self) == 5000)
            let defaults = try SQLiteConnection(path: directory.file("p.db"))
            #expect(try defaults.scalar("PRAGMA synchronous", as: Int.self) == 2, "FULL by default")
            defaults.close()
            connection.close()
            #expect(throws: SQLiteError.self) { try connection.execute("SELECT 1") }
        }
    }
}
