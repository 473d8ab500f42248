import SwitchboardStore
import Testing

@Suite("Error classification")
struct ErrorKindTests {
    @Test("a write blocked by another connection's write lock fails as .busy, and recovers")
    func busy() async throws {
        let options = SQLiteConnection.Options(busyTimeout: .milliseconds(20))
        try await withDatabase(options: .init(connection: options)) { database, path in
            let holder = try SQLiteConnection(path: path)
            defer { holder.close() }
            try holder.execute("BEGIN IMMEDIATE")

            let direct = try SQLiteConnection(path: path, options: options)
            defer { direct.close() }
            let directError = #expect(throws: SQLiteError.self) {
                try direct.execute("INSERT INTO items (name) VALUES ('direct')")
            }
            #expect(directError?.kind == .busy)
            #expect(directError?.isTransient == true)

            let writerError = await #expect(throws: SQLiteError.self) {
                try await database.write { try $0.execute("INSERT INTO items (name) VALUES ('queued')") }
            }
            #expect(writerError?.kind == .busy)
            #expect(writerError?.code == 5)  // SQLITE_BUSY

            try holder.execute("ROLLBACK")
            try await database.write { try $0.execute("INSERT INTO items (name) VALUES ('after')") }
            #expect(try database.read { try itemCount($0) } == 1)
        }
    }

    @Test("writes through a read-only connection or database fail as .readOnly")
    func readOnly() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("ro.db")
            try Database.open(path: path, migrations: [itemsMigration]).close()

            let connection = try SQLiteConnection(path: path, options: .init(readOnly: true))
            defer { connection.close() }
            #expect(try itemCount(connection) == 0)
            let error = #expect(throws: SQLiteError.self) {
                try connection.execute("INSERT INTO items (name) VALUES ('x')")
            }
            #expect(error?.kind == .readOnly)
            #expect(error?.isTransient == true)
            #expect(error?.code == 8)  // SQLITE_READONLY

            let database = try Database.open(path: path, options: .init(connection: .init(readOnly: true)),
                                             migrations: [itemsMigration])
            defer { database.close() }
            let writeError = await #expect(throws: SQLiteError.self) {
                try await database.write { try $0.execute("INSERT INTO items (name) VALUES ('x')") }
            }
            #expect(writeError?.kind == .readOnly)
        }
    }

    @Test("constraint and syntax failures are not transient")
    func permanentKinds() async throws {
        try await withConnection { connection, _ in
            try connection.exec(itemsMigration.sql)
            let constraint = #expect(throws: SQLiteError.self) {
                try connection.execute("INSERT INTO items (name) VALUES (NULL)")
            }
            #expect(constraint?.kind == .constraint)
            #expect(constraint?.extendedCode == 1299)  // SQLITE_CONSTRAINT_NOTNULL
            #expect(constraint?.isTransient == false)
            let syntax = #expect(throws: SQLiteError.self) { try connection.exec("CREATE TABLE") }
            #expect(syntax?.kind == .other)
        }
    }

    @Test("extended codes classify by their primary code")
    func classification() {
        #expect(SQLiteError(extendedCode: 10 | (4 << 8), message: "").kind == .ioError)  // IOERR_FSYNC
        #expect(SQLiteError(extendedCode: 8 | (4 << 8), message: "").kind == .readOnly)  // READONLY_DBMOVED
        #expect(SQLiteError(extendedCode: 6, message: "").kind == .busy)  // LOCKED
        #expect(SQLiteError(extendedCode: 13, message: "").isTransient)  // FULL
        #expect(SQLiteError(extendedCode: 26, message: "").kind == .corrupt)  // NOTADB
        #expect(!SQLiteError(extendedCode: 11, message: "").isTransient)  // CORRUPT
    }
}
