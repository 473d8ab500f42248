import CSQLite
import Foundation
@testable import SwitchboardStore
import Testing

@Suite("Group-commit writer: reopening its connection after a lasting fault")
struct WriterReconnectTests {
    /// A database with the items table, closed again; returns its path.
    private static func makeDatabase(in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("store.db")
        try Database.open(path: path, migrations: [itemsMigration]).close()
        return path
    }

    private static func insert(_ writer: GroupCommitWriter, _ name: String) async throws {
        try await writer.write { try $0.execute("INSERT INTO items (name) VALUES (?)", [name]) }
    }

    @Test("a connection stuck read-only is closed after the failed batch and the next batch commits on a new one")
    func readOnlyConnectionIsReplaced() async throws {
        try await withTemporaryDirectory { directory in
            let path = try Self.makeDatabase(in: directory)
            // Opened read-only, as SQLite does when the file or file system refuses writes at open time.
            let stuck = try SQLiteConnection(path: path, options: .init(readOnly: true))
            let writer = GroupCommitWriter(connection: stuck) { try SQLiteConnection(path: path) }
            defer { writer.close() }

            let error = await #expect(throws: SQLiteError.self) { try await Self.insert(writer, "refused") }
            #expect(error?.kind == .readOnly)
            try await Self.insert(writer, "accepted")
            #expect(writer.statistics.reconnects == 1)
            #expect(writer.statistics.batches == 2)

            let check = try SQLiteConnection(path: path)
            defer { check.close() }
            #expect(try check.query("SELECT name FROM items").map { try $0.get(0, as: String.self) } == ["accepted"])
        }
    }

    @Test("while the path cannot be opened each batch fails fast with that error; the first after it can commits")
    func failedReopenIsRetriedByLaterBatches() async throws {
        try await withTemporaryDirectory { directory in
            let path = try Self.makeDatabase(in: directory)
            let target = Collector<String>()  // the path the next reopen uses: missing first, as if unmounted
            target.append(directory.file("unmounted/store.db"))
            let stuck = try SQLiteConnection(path: path, options: .init(readOnly: true))
            let writer = GroupCommitWriter(connection: stuck) { try SQLiteConnection(path: target.all.last ?? path) }
            defer { writer.close() }

            await #expect(throws: SQLiteError.self) { try await Self.insert(writer, "a") }
            for name in ["b", "c"] {
                let error = await #expect(throws: SQLiteError.self) { try await Self.insert(writer, name) }
                #expect(error?.kind == .cantOpen)
            }
            target.append(path)
            try await Self.insert(writer, "d")
            #expect(writer.statistics.reconnects == 1)
            #expect(writer.statistics.batches == 4)
        }
    }

    @Test("a reopen creates no file where the store was, and refuses a file of another schema")
    func reopenNeverCreatesAndChecksTheSchema() async throws {
        try await withTemporaryDirectory { directory in
            let path = try Self.makeDatabase(in: directory)
            try Database.reopen(path: path, options: .init(), schemaVersion: 1).close()

            let missing = directory.file("gone.db")
            let error = #expect(throws: SQLiteError.self) { try Database.reopen(path: missing, options: .init(), schemaVersion: 1) }
            #expect(error?.kind == .cantOpen)
            #expect(!FileManager.default.fileExists(atPath: missing))

            let foreign = directory.file("foreign.db")
            try SQLiteConnection(path: foreign).close()
            let refused = #expect(throws: StoreError.self) { try Database.reopen(path: foreign, options: .init(), schemaVersion: 1) }
            #expect(refused == .schemaChanged(expected: 1, found: 0))
        }
    }
}
