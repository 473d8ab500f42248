import Foundation
import SwitchboardStore

/// A fresh directory under the system temp directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "switchboard-store-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs `body` with a temporary directory that is removed afterwards.
func withTemporaryDirectory<T>(_ body: (TemporaryDirectory) async throws -> T) async throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    return try await body(directory)
}

/// A lock-protected list that completions on other threads append to.
final class Collector<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Element] = []

    func append(_ item: Element) { lock.withLock { items.append(item) } }

    var all: [Element] { lock.withLock { items } }
}

/// Waits for a `DispatchGroup` without blocking a Swift concurrency thread.
func wait(for group: DispatchGroup) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        group.notify(queue: .global()) { continuation.resume() }
    }
}

/// A semaphore wait that gives up after a generous limit instead of hanging a broken test run.
/// Returns false on timeout; callers `#expect` the result (a safety net, not a timing assertion).
func waitBriefly(_ semaphore: DispatchSemaphore) -> Bool {
    semaphore.wait(timeout: .now() + 30) == .success
}

/// The one-table schema most tests use.
let itemsMigration = Migration(
    version: 1, name: "items",
    sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, payload BLOB);")

/// Counts the rows of `items`.
func itemCount(_ connection: SQLiteConnection) throws -> Int {
    try connection.scalar("SELECT count(*) FROM items", as: Int.self) ?? -1
}

/// Runs `body` with a connection to a fresh database file (`test.db` in a temporary directory),
/// closing it and removing the directory afterwards.
func withConnection<T>(options: SQLiteConnection.Options = .init(),
                       _ body: (SQLiteConnection, TemporaryDirectory) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        let connection = try SQLiteConnection(path: directory.file("test.db"), options: options)
        defer { connection.close() }
        return try await body(connection, directory)
    }
}

/// Runs `body` with a fresh database (`store.db`, migrated with `itemsMigration`) and its path,
/// closing it (idempotently) and removing its directory afterwards.
func withDatabase<T>(options: Database.Options = .init(),
                     _ body: (Database, String) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        let path = directory.file("store.db")
        let database = try Database.open(path: path, options: options, migrations: [itemsMigration])
        defer { database.close() }
        return try await body(database, path)
    }
}
