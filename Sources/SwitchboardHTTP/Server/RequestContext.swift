import CMicroHTTPD
import Foundation

/// Lets a handler answer a request once, now or later, from any thread.
public struct HTTPResponder: Sendable {
    let context: RequestContext

    /// Sends `response`. Returns false when the request was already answered or has ended
    /// (the client went away, or the server answered for you while shutting down).
    @discardableResult
    public func respond(_ response: HTTPResponse) -> Bool {
        context.deliver(response)
    }
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
/// other threads and guarded by `lock`. No libmicrohttpd call is made while holding `lock`.
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
    var wasSuspended = false
    var bodyTooLarge = false
    var discardedBytes = 0
    var remoteAddress = ""

    private let lock = NSLock()
    private var phase = Phase.receiving
    private var pending: HTTPResponse?

    init(connection: OpaquePointer, server: ServerCore, method: HTTPMethod, path: String) {
        self.connection = connection
        self.server = server
        self.method = method
        self.path = path
        self.startedAt = DispatchTime.now().uptimeNanoseconds
    }

    var isReceiving: Bool { lock.withLock { phase == .receiving } }
    var isResuming: Bool { lock.withLock { phase == .resuming } }

    func beginDispatch() { lock.withLock { phase = .dispatching } }

    func markAnswered() { lock.withLock { phase = .answered } }

    func markCompleted() { lock.withLock { phase = .completed; pending = nil } }

    /// Stores an answer and, when the connection is parked, resumes it. Any thread.
    func deliver(_ response: HTTPResponse) -> Bool {
        lock.lock()
        switch phase {
        case .dispatching, .suspending:
            guard pending == nil else { lock.unlock(); return false }
            pending = response
            lock.unlock()
            return true
        case .suspended:
            pending = response
            phase = .resuming
            lock.unlock()
            MHD_resume_connection(connection)
            return true
        case .receiving, .resuming, .answered, .completed:
            lock.unlock()
            return false
        }
    }

    /// Called on the connection thread after the handler returned. Returns the answer if it is already
    /// known; otherwise suspends the connection and returns nil.
    func answerOrSuspend() -> HTTPResponse? {
        lock.lock()
        if let response = pending {
            pending = nil
            phase = .answered
            lock.unlock()
            return response
        }
        if let refusal = server.refusalWhileStopping() {
            phase = .answered
            lock.unlock()
            return refusal
        }
        phase = .suspending
        lock.unlock()

        wasSuspended = true
        server.didSuspend(self)
        MHD_suspend_connection(connection)

        lock.lock()
        if pending != nil {
            // The answer raced the suspension: resume at once.
            phase = .resuming
            lock.unlock()
            MHD_resume_connection(connection)
        } else {
            phase = .suspended
            lock.unlock()
        }
        return nil
    }

    /// Called on the connection thread when libmicrohttpd re-enters the access handler after a resume.
    func takeResumedAnswer() -> HTTPResponse? {
        lock.lock()
        let response = pending
        pending = nil
        phase = .answered
        lock.unlock()
        server.didResume(self)
        return response
    }
}
