import CMicroHTTPD
import Foundation
import SwitchboardCore

/// Lets a handler answer a request once, now or later, from any thread.
///
/// If every copy of the responder is dropped without an answer (a handler's forgotten error path), the
/// request is answered 500 then, instead of holding its connection until shutdown.
public struct HTTPResponder: Sendable {
    private let ward: ResponderWard

    init(context: RequestContext) {
        ward = ResponderWard(context: context)
    }

    /// Sends `response`. Returns false when the request was already answered or has ended
    /// (the client went away, or the server answered for you while shutting down).
    @discardableResult
    public func respond(_ response: HTTPResponse) -> Bool {
        ward.context.deliver(response)
    }
}

/// Shared by all copies of one `HTTPResponder`; its `deinit` is the last copy going away.
private final class ResponderWard: Sendable {
    let context: RequestContext

    init(context: RequestContext) { self.context = context }

    deinit {
        _ = context.deliver(Self.unanswered)
    }

    /// Built once: this runs for every request, answered or not (`deliver` refuses a second answer).
    private static let unanswered = HTTPResponse.error(500, type: "internal_error", message: "the handler ended without answering")
}

/// The state of one request between libmicrohttpd's first access-handler call and its
/// request-completed callback.
///
/// Ownership: created on the first access-handler call and retained once through the connection's
/// per-request pointer (`*con_cls`, `Unmanaged.passRetained`); the request-completed callback takes that
/// reference back. Responders hold their own strong references, so a late `respond` finds a live object
/// and is refused by `phase`, never a dangling pointer.
///
/// Threads: fields under "connection thread" are used only by the libmicrohttpd worker that owns the
/// connection (one at a time, never concurrently). `phase` and `pending` are shared with responders on
/// other threads and guarded by `reply`'s lock. No libmicrohttpd call is made while holding it.
final class RequestContext: @unchecked Sendable {
    enum Phase {
        case receiving      // headers and body arriving
        case dispatching    // the handler is running on the connection thread
        case suspending     // the handler returned without an answer; suspending the connection
        case suspended      // parked; an answer will resume it
        case resuming       // an answer arrived; libmicrohttpd will call the access handler again
        case answered       // a response was queued
        case completed      // libmicrohttpd finished with the request
    }

    let connection: OpaquePointer
    unowned let server: ServerCore
    let startedAt: UInt64

    // Connection thread.
    let method: HTTPMethod
    let path: String
    var body: [UInt8] = []
    var status = 0
    /// The error `type` of the response queued (`HTTPResponse.errorType`), for the request record.
    var errorType: String?
    var wasSuspended = false
    /// The answer a body being discarded gets when it ends (413 past `max_body_bytes`, 503 past the
    /// in-flight caps): libmicrohttpd 0.9.75 cannot queue a response mid-upload.
    var bodyRefusal: HTTPResponse?
    var discardedBytes = 0
    /// The declared `Content-Length`, nil when none; `chunked` when `Transfer-Encoding` is present.
    var declaredBodyBytes: Int?
    var chunked = false
    /// Body bytes reserved in the server's `BodyBudget`, given back when the request ends.
    var reservedBodyBytes = 0
    /// The route match made when the headers arrived (reused by dispatch).
    var match: Router.Match?
    /// The connection's deadline clock (nil when libmicrohttpd gave none).
    var clock: ConnectionClock?
    var remoteAddress = ""
    var headers: [(String, String)] = []
    /// The matched route pattern; nil when no route matched (404, 405, 413, 431).
    var route: String?

    private struct Reply {
        var phase = Phase.receiving
        var pending: HTTPResponse?
    }

    private let reply = LockedValue(Reply())

    init(connection: OpaquePointer, server: ServerCore, method: HTTPMethod, path: String) {
        self.connection = connection
        self.server = server
        self.method = method
        self.path = path
        self.startedAt = DispatchTime.now().uptimeNanoseconds
    }

    var isReceiving: Bool { reply.withLock { $0.phase == .receiving } }
    var isResuming: Bool { reply.withLock { $0.phase == .resuming } }

    func beginDispatch() { reply.withLock { $0.phase = .dispatching } }

    func markAnswered() { reply.withLock { $0.phase = .answered } }

    func markCompleted() { reply.withLock { $0.phase = .completed; $0.pending = nil } }

    /// Stores an answer and, when the connection is parked, resumes it. Any thread.
    func deliver(_ response: HTTPResponse) -> Bool {
        enum Outcome { case stored, resume, refused }
        let outcome: Outcome = reply.withLock { state in
            switch state.phase {
            case .dispatching, .suspending:
                guard state.pending == nil else { return .refused }
                state.pending = response
                return .stored
            case .suspended:
                state.pending = response
                state.phase = .resuming
                return .resume
            case .receiving, .resuming, .answered, .completed:
                return .refused
            }
        }
        if outcome == .resume { MHD_resume_connection(connection) }
        return outcome != .refused
    }

    /// Called on the connection thread after the handler returned. Returns the answer if it is already
    /// known; otherwise suspends the connection and returns nil.
    func answerOrSuspend() -> HTTPResponse? {
        let known: HTTPResponse? = reply.withLock { state in
            if let response = state.pending {
                state.pending = nil
                state.phase = .answered
                return response
            }
            state.phase = .suspending
            return nil
        }
        if let known { return known }

        // Registering as parked and checking for shutdown happen under the server's lock, so shutdown's
        // sweep either sees this request or this request sees the sweep: none is left suspended.
        guard server.didSuspend(self) else {
            return reply.withLock { state in
                defer { state.phase = .answered; state.pending = nil }
                return state.pending ?? ServerCore.shuttingDown
            }
        }
        wasSuspended = true
        MHD_suspend_connection(connection)

        // An answer that arrived while suspending was only stored: resume for it now.
        let raced = reply.withLock { state in
            guard state.pending != nil else {
                state.phase = .suspended
                return false
            }
            state.phase = .resuming
            return true
        }
        if raced { MHD_resume_connection(connection) }
        return nil
    }

    /// Called on the connection thread when libmicrohttpd re-enters the access handler after a resume.
    func takeResumedAnswer() -> HTTPResponse? {
        let response = reply.withLock { state in
            defer {
                state.pending = nil
                state.phase = .answered
            }
            return state.pending
        }
        server.didResume(self)
        return response
    }
}
