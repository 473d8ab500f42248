import CSQLite

extension SQLiteConnection {
    /// What a checkpoint did (`sqlite3_wal_checkpoint_v2`'s out-values).
    public struct CheckpointResult: Sendable, Equatable {
        /// Frames in the WAL.
        public var walFrames: Int
        /// Frames copied into the database file so far.
        public var checkpointedFrames: Int
    }

    /// Calls `handler` on the committing thread after every commit, with the number of pages now in the
    /// WAL (`sqlite3_wal_hook`). Replaces SQLite's automatic checkpoint, which runs inside the commit
    /// that crosses `wal_autocheckpoint`: the handler decides when and where to checkpoint instead.
    /// Pass nil to remove it (the automatic checkpoint does not come back; reopen for that).
    ///
    /// Memory: the C hook gets this object unretained; ``close()`` removes the hook before closing the
    /// handle, and the handle never outlives the object, so the pointer is valid whenever SQLite calls.
    public func onWALCommit(_ handler: ((Int) -> Void)?) {
        guard let handle = rawHandle else { return }
        walCommitHandler = handler
        guard handler != nil else {
            sqlite3_wal_hook(handle, nil, nil)
            return
        }
        sqlite3_wal_hook(handle, { context, _, _, pages in
            guard let context else { return SQLITE_OK }
            Unmanaged<SQLiteConnection>.fromOpaque(context).takeUnretainedValue().walCommitHandler?(Int(pages))
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Keeps the WAL and WAL-index files when the last connection closes (`SQLITE_FCNTL_PERSIST_WAL`):
    /// that connection still checkpoints everything and empties the WAL, but leaves both files. Without
    /// them SQLite cannot even read a WAL database on a read-only mount, so a store whose file system is
    /// read-only at start could not be opened to answer 503 until it is writable again.
    public func persistWAL() {
        guard let handle = rawHandle else { return }
        var on: Int32 = 1
        _ = sqlite3_file_control(handle, "main", SQLITE_FCNTL_PERSIST_WAL, &on)
    }

    /// Runs a PASSIVE checkpoint: copies as many WAL frames into the database file as readers allow,
    /// without waiting for any lock, and never blocks writers.
    @discardableResult
    public func checkpointPassive() throws(SQLiteError) -> CheckpointResult {
        guard let handle = rawHandle else { throw SQLiteError(extendedCode: SQLITE_MISUSE, message: "connection is closed") }
        var frames: Int32 = 0, copied: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied)
        guard code == SQLITE_OK else { throw SQLiteError.current(handle) }
        return CheckpointResult(walFrames: Int(frames), checkpointedFrames: Int(copied))
    }
}
