import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

/// CallingBox's cursor parameters of a list operation: `limit` (1–100), `starting_after` (the page after
/// this item: older ones) or `ending_before` (the page before it: newer ones), each the id of an item of
/// the list. The answer is `{"data": [...], "has_more": bool}`, newest first in both directions, the
/// envelope the `callingbox` SDK's `Page` reads.
struct CursorPaging: Sendable {
    static let maximumLimit = 100

    var limit: Int
    var startingAfter: String?
    var endingBefore: String?

    /// Reads the parameters; 422 naming the one that is wrong (a limit out of range, a cursor that is not
    /// a UUID, both cursors at once).
    init(_ request: HTTPRequest, defaultLimit: Int) throws(HTTPError) {
        limit = try QueryParameters.int(request, "limit", default: defaultLimit, range: 1...Self.maximumLimit)
        startingAfter = try QueryParameters.uuid(request, "starting_after")
        endingBefore = try QueryParameters.uuid(request, "ending_before")
        if startingAfter != nil, endingBefore != nil {
            throw RequestFields.invalid("ending_before", "cannot be combined with starting_after")
        }
    }

    /// The cursor's position among the rows of `table`; 422 naming the parameter when no row has its id.
    func cursor(_ connection: SQLiteConnection, table: String, noun: String) throws -> PageCursor? {
        let (name, id, side): (String, String, PageCursor.Side)
        if let startingAfter {
            (name, id, side) = ("starting_after", startingAfter, .older)
        } else if let endingBefore {
            (name, id, side) = ("ending_before", endingBefore, .newer)
        } else {
            return nil
        }
        guard let cursor = try KeysetPage.cursor(connection, table: table, id: id, side: side) else {
            throw RequestFields.invalid(name, "no \(noun) with id '\(id)'")
        }
        return cursor
    }

    /// The list envelope of a page.
    static func envelope(_ items: [JSONValue], hasMore: Bool) -> HTTPResponse {
        ManagementAPI.json(200, .object(JSONObject([("data", .array(items)), ("has_more", .bool(hasMore))])))
    }
}
