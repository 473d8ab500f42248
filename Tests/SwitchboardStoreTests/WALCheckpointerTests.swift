import Foundation
@testable import SwitchboardStore
import Testing

@Suite("WAL checkpoints on their own thread")
struct WALCheckpointerTests {
    @Test("past its threshold the WAL is checkpointed by the checkpointer, and nothing committed is lost")
    func checkpointsRunOffTheWriter() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("store.db")
            let options = Database.Options(checkpointer: .init(pages: 8, writerPages: 1_000_000))
            let database = try Database.open(path: path, options: options, migrations: [itemsMigration])
            for index in 0..<300 {
                try await database.write { try $0.execute("INSERT INTO items (name) VALUES (?)", ["item-\(index)"]) }
            }
            let checkpointer = try #require(database.checkpointer)
            let deadline = Date(timeIntervalSinceNow: 10)
            while checkpointer.statistics.checkpoints == 0, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(checkpointer.statistics.checkpoints >= 1)
            #expect(checkpointer.statistics.failures == 0, "\(checkpointer.statistics.lastFailure ?? "")")
            database.close()

            let reopened = try SQLiteConnection(path: path)
            defer { reopened.close() }
            #expect(try itemCount(reopened) == 300)
        }
    }

    @Test("with its own connection unable to open, the writer checkpoints inline past writerPages")
    func theWriterIsTheBackstop() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("store.db")
            try Database.open(path: path, migrations: [itemsMigration]).close()
            let writer = try SQLiteConnection(path: path)
            let checkpointer = WALCheckpointer(options: .init(pages: 1_000_000, writerPages: 4)) {
                throw SQLiteError(extendedCode: 14, message: "not opened in this test")
            }
            defer { checkpointer.stop() }
            let seen = Collector<Int>()
            writer.onWALCommit { [unowned writer] pages in
                seen.append(pages)
                checkpointer.walCommitted(pages: pages, writer: writer)
            }
            for index in 0..<50 { try writer.execute("INSERT INTO items (name) VALUES (?)", ["item-\(index)"]) }
            // Every commit reported its WAL size; the inline checkpoint kept restarting the WAL, so it
            // never grew far past the threshold (each insert adds a few pages).
            #expect(seen.all.count == 50)
            #expect((seen.all.max() ?? .max) < 40, "\(seen.all)")
            writer.close()
        }
    }
}
