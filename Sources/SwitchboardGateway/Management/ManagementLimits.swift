import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

/// The bounds of the management APIs (issue 13 §4), so that no client can make the gateway hold or send
/// without end: request bodies, text fields, URLs, the number of endpoints and list pages.
enum ManagementLimits {
    /// A management request body (`413 body_too_large` beyond).
    static let maxBodyBytes = 64 * 1024
    /// An endpoint's `description` (CallingBox), in characters.
    static let maxDescriptionCharacters = 1_024
    /// A destination URL, in characters.
    static let maxURLCharacters = 2_048
    /// A list page: `limit` is 1 to this in every list.
    static let maxPageSize = CursorPaging.maximumLimit
    /// The default page of lists that no vendor's SDK reads (OneInbox `/v1/webhooks`).
    static let defaultPageSize = 10

    /// 413 when a change's body is over `maxBodyBytes` (checked before it is parsed).
    static func checkBody(_ request: HTTPRequest) throws(HTTPError) {
        guard request.body.count > maxBodyBytes else { return }
        throw HTTPError(413, type: "body_too_large",
                        message: "the request body is \(request.body.count) bytes; management requests take at most \(maxBodyBytes) bytes (64 KiB)")
    }

    /// `text` when it has at most `maximum` characters; 422 naming `field` otherwise.
    static func bounded(_ text: String, field: String, maximum: Int) throws(HTTPError) -> String {
        let count = text.count
        guard count <= maximum else {
            throw RequestFields.invalid(field, "must be at most \(maximum) characters, got \(count)")
        }
        return text
    }

    /// 422 `limit_exceeded` when `limit` endpoints are live already. Runs in the create's transaction, so
    /// creates committed in the same group are counted one after another.
    static func checkEndpointCount(_ connection: SQLiteConnection, limit: Int) throws {
        let live = try EndpointRecords.liveCount(connection)
        guard live < limit else {
            throw HTTPError(422, type: "limit_exceeded",
                            message: "endpoints: at most \(limit) endpoints may exist (limits.max_endpoints); delete one first")
        }
    }
}
