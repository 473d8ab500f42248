import Foundation
import SwitchboardStore
import Testing

@Suite("Group-commit writer")
struct GroupCommitWriterTests {
    @Test("many threads and tasks: every acknowledged write survives a reopen, in fewer commits")
    func manyThreadsDurableAndBatched() async throws {
        try await withDatabase { database, path in
            let threadCount = 8, perThread = 500, asyncCount = 200
            let outcomes = Collector<Result<Int64, any Error>>()
            let group = DispatchGroup()
            for thread in 0..<threadCount {
                group.enter()
                Thread {
                    for index in 0..<perThread {
                        group.enter()
                        let name = "t\(thread)-\(index)"
                        database.submit({ connection in
                            try connection.execute("INSERT INTO items (name) VALUES (?)", [name]).lastInsertRowID
                        }, completion: { result in
                            outcomes.append(result)
                            group.leave()
                        })
                    }
                    group.leave()
                }.start()
            }
            let asyncIDs = try await withThrowingTaskGroup(of: Int64.self) { tasks in
                for index in 0..<asyncCount {
                    tasks.addTask {
                        try await database.write { connection in
                            try connection.execute("INSERT INTO items (name) VALUES (?)", ["async-\(index)"]).lastInsertRowID
                        }
                    }
                }
                return try await tasks.reduce(into: [Int64]()) { $0.append($1) }
            }
            await wait(for: group)

            let results = outcomes.all
            #expect(results.count == threadCount * perThread)
            let threadIDs = results.compactMap { try? $0.get() }
            #expect(threadIDs.count == results.count, "every completion reports success")
            database.close()
            let statistics = database.writer.statistics
            let submissions = threadCount * perThread + asyncCount
            #expect(statistics.submitted == submissions)
            #expect(statistics.finished == submissions)
            #expect(statistics.commits < submissions, "writes were grouped: \(statistics)")
            #expect(statistics.largestBatch > 1)

            let reopened = try SQLiteConnection(path: path)
            defer { reopened.close() }
            #expect(try itemCount(reopened) == submissions)
            let stored = try Set(reopened.query("SELECT id FROM items").map { try $0.get(0, as: Int64.self) })
            #expect(stored == Set(threadIDs + asyncIDs))
        }
    }

    @Test("a failing item rolls back only itself; the rest of its batch commits before completions run")
    func failingItemInBatch() async throws {
        try await withDatabase { database, _ in
            let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
            let gateRan = Collector<Bool>()
            // Hold the writer inside a first batch so the next three items queue up into one batch.
            database.submit({ _ in
                started.signal()
                gateRan.append(waitBriefly(release))
            }, completion: { _ in })
            #expect(waitBriefly(started))

            let outcomes = Collector<(String, Result<Int, any Error>)>()
            let visibleAtCompletion = Collector<Int>()
            let group = DispatchGroup()
            func insert(_ label: String, names: [String]) {
                group.enter()
                database.submit({ connection in
                    for name in names { try connection.execute("INSERT INTO items (name) VALUES (?)", [name]) }
                    return names.count
                }, completion: { result in
                    outcomes.append((label, result))
                    // The commit is done before any completion runs: a fresh reader sees the rows.
                    if label == "a", let count = try? database.read({ try itemCount($0) }) { visibleAtCompletion.append(count) }
                    group.leave()
                })
            }
            insert("a", names: ["alpha"])
            insert("b", names: ["beta", "alpha"])  // second insert breaks UNIQUE(name)
            insert("c", names: ["gamma"])
            release.signal()
            await wait(for: group)

            #expect(gateRan.all == [true])
            let byLabel = Dictionary(uniqueKeysWithValues: outcomes.all)
            #expect((try? byLabel["a"]?.get()) == 1)
            #expect((try? byLabel["c"]?.get()) == 1)
            guard case .failure(let error)? = byLabel["b"], let sqliteError = error as? SQLiteError else {
                Issue.record("item b should fail with an SQLiteError, got \(String(describing: byLabel["b"]))")
                return
            }
            #expect(sqliteError.kind == .constraint)
            #expect(!sqliteError.isTransient)
            #expect(visibleAtCompletion.all == [2])
            let names = try database.read { try $0.query("SELECT name FROM items ORDER BY name").map { try $0.get("name", as: String.self) } }
            #expect(names == ["alpha", "gamma"], "beta was rolled back with its savepoint")
            let statistics = database.writer.statistics
            #expect(statistics.batches == 2)
            #expect(statistics.commits == 2)
            #expect(statistics.largestBatch == 3)
        }
    }

    @Test("close drains queued work; later submissions fail with StoreError.closed")
    func closeDrainsThenRefuses() async throws {
        try await withDatabase { database, path in
            let successes = Collector<Bool>()
            for index in 0..<100 {
                database.submit({ connection in
                    try connection.execute("INSERT INTO items (name) VALUES (?)", ["n\(index)"])
                }, completion: { result in successes.append((try? result.get()) != nil) })
            }
            database.close()
            #expect(successes.all.count == 100, "close returns after every queued completion ran")
            #expect(successes.all.allSatisfy { $0 })
            #expect(database.writer.isClosed)

            let late = Collector<String>()
            database.submit({ _ in 1 }, completion: { result in
                if case .failure(let error) = result { late.append("\(error)") }
            })
            #expect(late.all == ["group-commit writer is closed"])
            await #expect(throws: StoreError.closed("group-commit writer")) {
                try await database.write { _ in 1 }
            }
            #expect(throws: StoreError.closed("read pool")) { try database.read { _ in 1 } }
            database.close()  // idempotent

            let reopened = try SQLiteConnection(path: path)
            #expect(try itemCount(reopened) == 100)
        }
    }

    @Test("close called from a completion on the writer thread does not deadlock")
    func closeFromCompletion() async throws {
        try await withDatabase { database, _ in
            let done = DispatchSemaphore(value: 0)
            database.submit({ _ in 0 }, completion: { _ in
                database.writer.close()  // only requests the stop
                done.signal()
            })
            #expect(waitBriefly(done))
            database.close()  // waits for the writer thread to finish
            #expect(database.writer.isClosed)
        }
    }

    @Test("readers do not wait for an open write transaction")
    func readersRunDuringWrite() async throws {
        try await withDatabase { database, _ in
            try await database.write { try $0.execute("INSERT INTO items (name) VALUES ('committed')") }
            let inTransaction = DispatchSemaphore(value: 0), readDone = DispatchSemaphore(value: 0)
            let writerSawRead = Collector<Bool>()
            database.submit({ connection in
                try connection.execute("INSERT INTO items (name) VALUES ('pending')")
                inTransaction.signal()
                writerSawRead.append(waitBriefly(readDone))
            }, completion: { _ in })
            #expect(waitBriefly(inTransaction))
            let names = try database.read { try $0.query("SELECT name FROM items").map { try $0.get(0, as: String.self) } }
            readDone.signal()
            #expect(names == ["committed"], "the reader sees the last commit, not the open transaction")
            try await database.write { _ in }  // flush the batch above
            #expect(writerSawRead.all == [true])
        }
    }
}
