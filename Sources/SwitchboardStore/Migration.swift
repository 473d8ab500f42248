/// One numbered schema change.
///
/// Versions are positive and unique; they are applied in ascending order, each in its own
/// transaction together with the `PRAGMA user_version` update that records it.
public struct Migration: Sendable, Hashable {
    /// The schema version this migration produces.
    public let version: Int
    /// A short name for logs and errors.
    public let name: String
    /// The SQL script (one or more statements) to apply.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies migrations to a connection, tracking the version in `PRAGMA user_version`.
public struct Migrator: Sendable {
    /// The migrations, sorted by version.
    public let migrations: [Migration]

    /// Validates and sorts `migrations`; versions must be positive and unique.
    public init(_ migrations: [Migration]) throws(StoreError) {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (index, migration) in sorted.enumerated() {
            guard migration.version > 0 else {
                throw .invalidMigrations("version \(migration.version) ('\(migration.name)') is not positive")
            }
            if index > 0, sorted[index - 1].version == migration.version {
                throw .invalidMigrations("version \(migration.version) appears more than once")
            }
        }
        self.migrations = sorted
    }

    /// The highest version this build knows (0 with no migrations).
    public var knownVersion: Int { migrations.last?.version ?? 0 }

    /// The schema version recorded in the database.
    public static func version(of connection: SQLiteConnection) throws(SQLiteError) -> Int {
        try connection.scalar("PRAGMA user_version", as: Int.self) ?? 0
    }

    /// Applies every migration newer than the database's version; returns the versions applied.
    ///
    /// Idempotent: a database already at ``knownVersion`` is left alone. Each migration re-reads the
    /// version inside its own `BEGIN IMMEDIATE` transaction, so two processes migrating the same file
    /// do not apply one migration twice. A database newer than ``knownVersion`` is refused with
    /// ``StoreError/schemaTooNew(databaseVersion:knownVersion:)`` and left untouched.
    @discardableResult
    public func migrate(_ connection: SQLiteConnection) throws -> [Int] {
        let current = try Self.version(of: connection)
        guard current <= knownVersion else {
            throw StoreError.schemaTooNew(databaseVersion: current, knownVersion: knownVersion)
        }
        var applied: [Int] = []
        for migration in migrations where migration.version > current {
            let didApply = try connection.transaction { connection throws -> Bool in
                let now = try Self.version(of: connection)
                guard now < migration.version else { return false }
                do throws(SQLiteError) {
                    try connection.exec(migration.sql)
                    // PRAGMA takes no bindings; the version is an Int, not caller text.
                    try connection.exec("PRAGMA user_version = \(migration.version)")
                } catch {
                    throw StoreError.migrationFailed(version: migration.version, name: migration.name, error: error)
                }
                return true
            }
            if didApply { applied.append(migration.version) }
        }
        return applied
    }
}
