/// Why ``SQLiteConnection/runInSavepoint(_:)`` failed, and whether the enclosing transaction survived.
struct SavepointFailure: Error {
    /// The error to report: the body's, or the savepoint statement's.
    let error: any Error
    /// False when the savepoint could not be opened, rolled back or released cleanly, or SQLite
    /// aborted the whole transaction (as it may on FULL, IOERR, BUSY): the caller must not go on
    /// using the transaction.
    let transactionIntact: Bool
}

extension SQLiteConnection {
    /// Runs `body` in a write transaction: `BEGIN IMMEDIATE`, then `COMMIT` when `body` returns, or
    /// `ROLLBACK` when it (or the commit) throws; the error is rethrown unchanged.
    ///
    /// Inside an open transaction this nests as a savepoint (see ``savepoint(_:)``). `BEGIN IMMEDIATE`
    /// takes the write lock up front, so a busy database fails here (with `.busy` after the busy
    /// timeout) rather than half-way through `body`.
    @discardableResult
    public func transaction<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        if isInTransaction { return try savepoint(body) }
        try execute("BEGIN IMMEDIATE")
        let value: T
        do {
            value = try body(self)
            try execute("COMMIT")
        } catch {
            rollbackTransaction()
            throw error
        }
        return value
    }

    /// Runs `body` inside a `SAVEPOINT`: released when `body` returns, rolled back (and released) when
    /// it throws, leaving the enclosing transaction's other work in place. Nests to any depth.
    /// Outside a transaction, the savepoint is itself a (deferred) transaction.
    @discardableResult
    public func savepoint<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        do {
            return try runInSavepoint(body)
        } catch {
            throw error.error
        }
    }

    /// The savepoint primitive, reporting whether the enclosing transaction is still usable.
    func runInSavepoint<T>(_ body: (SQLiteConnection) throws -> T) throws(SavepointFailure) -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        // Internal names only: no caller text reaches the SQL.
        let name = "sb_savepoint_\(savepointDepth)"
        let wasInTransaction = isInTransaction
        do {
            try execute("SAVEPOINT \(name)")
        } catch {
            throw SavepointFailure(error: error, transactionIntact: false)
        }
        let value: T
        do {
            value = try body(self)
        } catch {
            let rolledBack = rollback(toSavepoint: name)
            throw SavepointFailure(error: error, transactionIntact: rolledBack && isInTransaction == wasInTransaction)
        }
        do {
            try execute("RELEASE \(name)")
        } catch {
            let rolledBack = rollback(toSavepoint: name)
            throw SavepointFailure(error: error, transactionIntact: rolledBack && isInTransaction == wasInTransaction)
        }
        return value
    }

    /// Undoes a savepoint's work and removes it; false if that failed or the transaction is gone.
    private func rollback(toSavepoint name: String) -> Bool {
        // If SQLite already aborted the transaction, the savepoint no longer exists.
        guard isInTransaction else { return false }
        do {
            try execute("ROLLBACK TO \(name)")
            try execute("RELEASE \(name)")
            return true
        } catch {
            return false
        }
    }

    /// Rolls back the open transaction, if SQLite has not already done so. A failed ROLLBACK leaves
    /// nothing better to do: the original error is what the caller reports.
    func rollbackTransaction() {
        guard isInTransaction else { return }
        _ = try? execute("ROLLBACK")
    }

    /// Runs `body` inside a deferred read transaction (`BEGIN` … `COMMIT`), so every query in it sees
    /// one snapshot. Used by the read pool.
    func readTransaction<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        if isInTransaction { return try body(self) }
        try execute("BEGIN DEFERRED")
        defer { rollbackTransaction() }  // A read transaction has nothing to keep: ending it is enough.
        return try body(self)
    }
}
