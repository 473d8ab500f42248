import Foundation

/// Serializes all writes through one connection on one dedicated thread, committing many
/// submitters' work in one durable transaction (group commit).
///
/// ## How a batch runs
/// The writer thread waits for work, takes everything pending (up to ``Options/maxBatchSize``),
/// and runs it in one `BEGIN IMMEDIATE … COMMIT` transaction, each item inside its own `SAVEPOINT`:
/// an item that throws rolls back only its own changes and gets its own error, while the others
/// commit. Only after `COMMIT` returns (durable under `synchronous=FULL`) is each completion called
/// with that item's result; if `BEGIN` or `COMMIT` fails, every item in the batch gets that error.
/// If SQLite aborts the whole transaction while an item runs (it may on FULL, IOERR or BUSY), the
/// batch is rolled back and every item in it fails with that item's error.
///
/// ## Faults that outlive the connection
/// A batch that fails with a fault after which the connection may stay stuck (see
/// ``SQLiteError/warrantsReopen``: read-only, I/O error, cannot open) closes the connection, and the
/// next batch opens a new one with the `reconnect` function given at creation. While that open
/// fails, each batch fails fast with its error (a transient fault the service answers with 503), and
/// the first batch after the fault clears commits: no restart is needed.
///
/// ## Threading
/// - ``submit(_:completion:)`` and ``write(_:)`` may be called from any thread or task.
/// - Work bodies run on the writer thread, one at a time, with the writer's connection; they must not
///   issue `BEGIN`, `COMMIT` or `ROLLBACK` themselves (use ``SQLiteConnection/savepoint(_:)`` to nest).
/// - Completions run on the writer thread after the commit, in submission order. They should be
///   short; they may submit more work, but must not wait for it (that would deadlock the writer).
/// - State shared with submitters (the queue, the run state, the counters) is guarded by one
///   `NSCondition`; the connection is touched only by the writer thread (and by the code that opened
///   it, before the thread starts). Hence `@unchecked Sendable`.
///
/// Call ``close()`` when done: an unclosed writer keeps its thread (and itself) alive.
public final class GroupCommitWriter: @unchecked Sendable {
    /// Tuning for a writer.
    public struct Options: Sendable {
        /// The most items one transaction may hold.
        public var maxBatchSize: Int

        public init(maxBatchSize: Int = 512) {
            self.maxBatchSize = maxBatchSize
        }
    }

    /// Counters since the writer started.
    public struct Statistics: Sendable, Equatable {
        /// Items accepted by ``submit(_:completion:)`` (not those refused after close).
        public var submitted = 0
        /// Items whose batch has finished (committed or failed). Counted before their completions
        /// are called, so a completion sees its own batch in the counters.
        public var finished = 0
        /// Transactions attempted (one per batch).
        public var batches = 0
        /// Transactions that committed.
        public var commits = 0
        /// The most items one batch held.
        public var largestBatch = 0
        /// Connections opened to replace one closed after a fault.
        public var reconnects = 0
        /// Seconds spent running batches (BEGIN to COMMIT, the fsync included): how busy the writer is.
        public var busySeconds = 0.0
    }

    private enum State {
        case running, draining, stopped
    }

    private let options: Options
    /// Owned by the writer thread once it starts; nil after a fault closed it, until the next batch
    /// reopens it.
    private var connection: SQLiteConnection?
    /// Opens a replacement connection after a fault; nil means the writer never reopens.
    private let reconnect: (@Sendable () throws -> SQLiteConnection)?
    /// Guards `pending`, `state`, `counters` and `thread`.
    private let condition = NSCondition()
    private var pending: [any WriteItem] = []
    private var state = State.running
    private var counters = Statistics()
    /// The writer thread while it runs (cleared when it stops, which also breaks the retain cycle
    /// through the thread's block).
    private var thread: Thread?

    /// Takes ownership of `connection` (the caller must not use it again) and starts the writer thread.
    /// `reconnect`, if given, opens a fresh connection to the same database after a fault (see the
    /// type's documentation); it runs on the writer thread.
    public init(connection: sending SQLiteConnection, options: Options = Options(),
                reconnect: (@Sendable () throws -> SQLiteConnection)? = nil) {
        self.connection = connection
        self.reconnect = reconnect
        self.options = options
        let thread = Thread { [self] in runLoop() }
        thread.name = "switchboard.store.writer"
        self.thread = thread
        thread.start()
    }

    /// The counters, read under the lock.
    public var statistics: Statistics {
        condition.withLock { counters }
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool {
        condition.withLock { state != .running }
    }

    // MARK: Submitting

    /// Queues `body` to run in the next batch; `completion` gets its result once the batch's commit
    /// is durable (or the error that prevented it).
    ///
    /// `completion` is called exactly once: on the writer thread normally, or synchronously on the
    /// calling thread with ``StoreError/closed(_:)`` if the writer is closed.
    public func submit<T>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T,
                          completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        let item = TypedWriteItem(body: body, completion: completion)
        condition.lock()
        guard state == .running else {
            condition.unlock()
            completion(.failure(StoreError.closed("group-commit writer")))
            return
        }
        pending.append(item)
        counters.submitted += 1
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` in the next batch and returns its result once the batch's commit is durable.
    ///
    /// Cancelling the calling task does not withdraw the work: once submitted, it runs.
    @discardableResult
    public func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit(body) { continuation.resume(with: $0) }
        }
    }

    /// Stops accepting work, lets the writer finish everything already queued, then stops the thread
    /// and closes the connection. Returns when that is done; idempotent.
    ///
    /// Called from the writer thread itself (from a completion), it only requests the stop.
    public func close() {
        condition.lock()
        defer { condition.unlock() }
        if state == .running {
            state = .draining
            condition.broadcast()
        }
        guard let thread, Thread.current !== thread else { return }
        while state != .stopped { condition.wait() }
    }

    // MARK: Writer thread

    private func runLoop() {
        while let batch = nextBatch() {
            let started = DispatchTime.now().uptimeNanoseconds
            let failure: (any Error)?
            var faulted = false
            do {
                (failure, faulted) = execute(batch, on: try currentConnection())
            } catch {
                failure = error
            }
            if faulted, reconnect != nil {
                connection?.close()
                connection = nil
            }
            let busy = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            condition.withLock {
                counters.busySeconds += busy
                counters.batches += 1
                if failure == nil { counters.commits += 1 }
                counters.finished += batch.count
                counters.largestBatch = max(counters.largestBatch, batch.count)
            }
            for item in batch { item.complete(batchError: failure) }
        }
        connection?.close()
        condition.withLock {
            state = .stopped
            thread = nil
            condition.broadcast()
        }
    }

    /// Waits for work; nil once draining and nothing is left.
    private func nextBatch() -> [any WriteItem]? {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty, state == .running { condition.wait() }
        guard !pending.isEmpty else { return nil }
        let limit = max(1, options.maxBatchSize)
        guard pending.count > limit else {
            defer { pending = [] }
            return pending
        }
        let batch = Array(pending.prefix(limit))
        pending.removeFirst(limit)
        return batch
    }

    /// The open connection, or a new one if a fault closed the last (throwing the open's error).
    private func currentConnection() throws -> SQLiteConnection {
        if let connection { return connection }
        guard let reconnect else { throw StoreError.closed("group-commit writer connection") }
        let fresh = try reconnect()
        connection = fresh
        condition.withLock { counters.reconnects += 1 }
        return fresh
    }

    /// The transaction itself. `failure` is nil if it committed, else the error every item must report;
    /// `faulted` says whether the batch or any item met a fault after which the connection should be
    /// reopened (an item can fail read-only inside a transaction that stays intact).
    private func execute(_ batch: [any WriteItem], on connection: SQLiteConnection) -> (failure: (any Error)?, faulted: Bool) {
        func fault(_ error: any Error) -> Bool { (error as? SQLiteError)?.warrantsReopen ?? false }
        do {
            try connection.execute("BEGIN IMMEDIATE")
        } catch {
            return (error, fault(error))
        }
        var faulted = false
        for item in batch {
            guard let broken = item.run(on: connection) else { continue }
            faulted = faulted || fault(broken.error)
            if !broken.transactionIntact || !connection.isInTransaction {
                connection.rollbackTransaction()
                return (broken.error, faulted)
            }
        }
        do {
            try connection.execute("COMMIT")
        } catch {
            connection.rollbackTransaction()
            return (error, fault(error))
        }
        return (nil, faulted)
    }
}

/// One submitted unit of work, its result type erased for the queue.
private protocol WriteItem: AnyObject {
    /// Runs the body in a savepoint (writer thread); returns the failure if the body or savepoint failed.
    func run(on connection: SQLiteConnection) -> SavepointFailure?
    /// Calls the completion: with `batchError` if the batch did not commit, else with the body's result.
    func complete(batchError: (any Error)?)
}

/// A work item with its typed body, completion and (after running) result. Touched by the
/// submitting thread only before it is queued, then by the writer thread only.
private final class TypedWriteItem<T>: WriteItem {
    private let body: @Sendable (SQLiteConnection) throws -> T
    private let completion: @Sendable (Result<T, any Error>) -> Void
    private var result: Result<T, any Error>?

    init(body: @escaping @Sendable (SQLiteConnection) throws -> T,
         completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        self.body = body
        self.completion = completion
    }

    func run(on connection: SQLiteConnection) -> SavepointFailure? {
        do {
            result = .success(try connection.runInSavepoint(body))
            return nil
        } catch {
            result = .failure(error.error)
            return error
        }
    }

    func complete(batchError: (any Error)?) {
        if let batchError {
            completion(.failure(batchError))
        } else if let result {
            completion(result)
        } else {
            completion(.failure(StoreError.closed("group-commit batch (item never ran)")))
        }
    }
}
