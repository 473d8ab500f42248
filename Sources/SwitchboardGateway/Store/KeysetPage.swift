import SwitchboardStore

/// One page of a newest-first listing, and whether more rows lie beyond it (in the page's direction).
struct Page<Item> {
    var items: [Item]
    var hasMore: Bool
}

/// Where a cursor page starts: the cursor row's place in the order `(created_at, rowid)` and which side
/// of it the page holds. `older` is CallingBox's `starting_after` (the next page), `newer` its
/// `ending_before` (the previous page).
struct PageCursor: Sendable, Equatable {
    enum Side: Sendable, Equatable {
        case older
        case newer
    }

    var createdAt: Double
    var rowid: Int64
    var side: Side
}

/// Keyset paging over a table ordered newest first by `(created_at, rowid)`: a page is read from the
/// cursor's position with `LIMIT`, never with `OFFSET`, so its cost does not grow with the depth of the
/// page and rows added meanwhile neither repeat nor skip items.
enum KeysetPage {
    /// The position of row `id` of `table` (a table with `id` and `created_at` columns); nil when there
    /// is no such row.
    static func cursor(_ connection: SQLiteConnection, table: String, id: String, side: PageCursor.Side) throws -> PageCursor? {
        guard let row = try connection.query("SELECT created_at, rowid FROM \(table) WHERE id = ?", [id]).first else {
            return nil
        }
        return PageCursor(createdAt: try row.get("created_at"), rowid: try row.get("rowid"), side: side)
    }

    /// Runs `select` (whose paged table is named `alias`) under `conditions`, one page of up to `limit`
    /// rows from `cursor` (the newest rows without one). Items are newest first in either direction: a
    /// `newer` page holds the rows just newer than the cursor.
    static func fetch<Item>(_ connection: SQLiteConnection, select: String, alias: String, conditions: [String],
                            bindings: [any SQLValueConvertible], cursor: PageCursor?, limit: Int,
                            row: (SQLiteRow) throws -> Item) throws -> Page<Item> {
        var conditions = conditions
        var bindings = bindings
        let ascending = cursor?.side == .newer
        if let cursor {
            conditions.append("(\(alias).created_at, \(alias).rowid) \(ascending ? ">" : "<") (?, ?)")
            bindings += [cursor.createdAt, cursor.rowid]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let order = ascending ? "ASC" : "DESC"
        var items = try connection.query("""
            \(select) \(filter) ORDER BY \(alias).created_at \(order), \(alias).rowid \(order) LIMIT ?
            """, bindings + [limit + 1]).map(row)
        let hasMore = items.count > limit
        if hasMore { items.removeLast() }
        if ascending { items.reverse() }
        return Page(items: items, hasMore: hasMore)
    }
}
