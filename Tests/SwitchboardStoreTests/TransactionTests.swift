import SwitchboardStore
import Testing

private struct Abort: Error, Equatable {}

@Suite("Transactions")
struct TransactionTests {
    private func names(_ connection: SQLiteConnection) throws -> [String] {
        try connection.query("SELECT name FROM items ORDER BY id").map { try $0.get(0) }
    }

    private func withItems(_ body: (SQLiteConnection) throws -> Void) async throws {
        try await withConnection { connection, _ in
            try connection.exec(itemsMigration.sql)
            try body(connection)
        }
    }

    @Test("a throwing body rolls the transaction back and its error propagates unchanged")
    func rollbackOnThrow() async throws {
        try await withItems { connection in
            try connection.transaction { try $0.execute("INSERT INTO items (name) VALUES ('kept')") }
            #expect(throws: Abort()) {
                try connection.transaction { connection in
                    try connection.execute("INSERT INTO items (name) VALUES ('discarded')")
                    throw Abort()
                }
            }
            #expect(try names(connection) == ["kept"])
            #expect(!connection.isInTransaction)
        }
    }

    @Test("nested savepoints roll back only their own work")
    func nestedSavepoints() async throws {
        try await withItems { connection in
            let value = try connection.transaction { connection in
                try connection.execute("INSERT INTO items (name) VALUES ('outer-1')")
                #expect(throws: Abort()) {
                    try connection.savepoint { connection in
                        try connection.execute("INSERT INTO items (name) VALUES ('inner-discarded')")
                        throw Abort()
                    }
                }
                // transaction() inside a transaction nests as a savepoint, as deep as needed.
                try connection.transaction { connection in
                    try connection.execute("INSERT INTO items (name) VALUES ('inner-kept')")
                    try? connection.savepoint { connection in
                        try connection.execute("INSERT INTO items (name) VALUES ('innermost-discarded')")
                        throw Abort()
                    }
                }
                try connection.execute("INSERT INTO items (name) VALUES ('outer-2')")
                return 7
            }
            #expect(value == 7)
            #expect(try names(connection) == ["outer-1", "inner-kept", "outer-2"])
        }
    }

    @Test("a failing COMMIT-time constraint rolls back (deferred foreign key)")
    func commitFailureRollsBack() async throws {
        try await withItems { connection in
            try connection.exec("""
                CREATE TABLE child (id INTEGER PRIMARY KEY,
                    item INTEGER REFERENCES items(id) DEFERRABLE INITIALLY DEFERRED);
                """)
            let error = #expect(throws: SQLiteError.self) {
                try connection.transaction { try $0.execute("INSERT INTO child (item) VALUES (42)") }
            }
            #expect(error?.kind == .constraint)
            #expect(!connection.isInTransaction)
            #expect(try connection.scalar("SELECT count(*) FROM child", as: Int.self) == 0)
        }
    }
}
