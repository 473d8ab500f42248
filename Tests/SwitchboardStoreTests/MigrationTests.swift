import SwitchboardStore
import Testing

@Suite("Migrations")
struct MigrationTests {
    private let first = Migration(version: 1, name: "create a", sql: "CREATE TABLE a (id INTEGER PRIMARY KEY);")
    private let second = Migration(version: 2, name: "create b", sql: """
        CREATE TABLE b (id INTEGER PRIMARY KEY, a INTEGER NOT NULL REFERENCES a(id));
        CREATE INDEX b_a ON b (a);
        """)
    private let third = Migration(version: 3, name: "add a.note", sql: "ALTER TABLE a ADD COLUMN note TEXT;")

    private func tables(_ connection: SQLiteConnection) throws -> [String] {
        try connection.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").map { try $0.get(0) }
    }

    @Test("applied once, in order; a reopen applies nothing; a new migration applies alone")
    func appliedOnceAndIdempotent() async throws {
        try await withConnection { connection, directory in
            let path = directory.file("test.db")
            #expect(try Migrator([second, first]).migrate(connection) == [1, 2])
            #expect(try Migrator.version(of: connection) == 2)
            #expect(try Migrator([first, second]).migrate(connection) == [])
            #expect(try Migrator([first, second, third]).migrate(connection) == [3])
            #expect(try tables(connection) == ["a", "b"])
            #expect(try connection.query("SELECT note FROM a").isEmpty)

            let database = try Database.open(path: path, migrations: [first, second, third])
            #expect(database.schemaVersion == 3)
            database.close()
        }
    }

    @Test("a database newer than the code is refused and left untouched")
    func newerVersionRefused() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("m.db")
            try Database.open(path: path, migrations: [first, second, third]).close()
            #expect(throws: StoreError.schemaTooNew(databaseVersion: 3, knownVersion: 2)) {
                try Database.open(path: path, migrations: [first, second])
            }
            #expect(throws: StoreError.schemaTooNew(databaseVersion: 3, knownVersion: 0)) {
                try Database.open(path: path)
            }
            let connection = try SQLiteConnection(path: path)
            defer { connection.close() }
            #expect(try Migrator.version(of: connection) == 3)
        }
    }

    @Test("a failing migration rolls back entirely and stops later ones")
    func failingMigrationRollsBack() async throws {
        try await withConnection { connection, _ in
            let broken = Migration(version: 2, name: "broken", sql: "CREATE TABLE half (x); CREATE TABLE a (dup);")
            #expect(throws: StoreError.self) { try Migrator([first, broken, third]).migrate(connection) }
            do {
                try Migrator([first, broken]).migrate(connection)
                Issue.record("the broken migration should throw")
            } catch let StoreError.migrationFailed(version, name, error) {
                #expect(version == 2 && name == "broken")
                #expect(error.message.contains("already exists"))
            }
            #expect(try Migrator.version(of: connection) == 1)
            #expect(try tables(connection) == ["a"], "the half-applied migration left nothing behind")
        }
    }

    @Test("malformed migration lists are rejected")
    func invalidLists() {
        #expect(throws: StoreError.self) { try Migrator([first, Migration(version: 1, name: "again", sql: "")]) }
        #expect(throws: StoreError.self) { try Migrator([Migration(version: 0, name: "zero", sql: "")]) }
    }
}
