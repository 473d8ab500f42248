import CMicroHTTPD
import CShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Errors starting or running an `HTTPServer`.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// An HTTP/1.1 server over libmicrohttpd.
///
/// Each of `configuration.threads` workers runs its own poll() loop (no FD_SETSIZE ceiling on
/// connections). Handlers run on those threads
/// (`.immediate`) or answer later from anywhere (`.deferred`, `.async`), in which case the connection is
/// suspended and no worker waits. Keep-alive, connection limits (in all and per address), body limits
/// and in-flight caps, idle timeouts, total header and body deadlines (`ConnectionDeadlines`), route
/// preflights and graceful shutdown are handled here; routing is `Router`'s job.
public final class HTTPServer: @unchecked Sendable {
    public let configuration: HTTPServerConfiguration
    private let core: ServerCore
    private enum Phase { case idle, running, stopping, stopped }

    private let lock = NSCondition()
    private var phase = Phase.idle
    private var daemon: OpaquePointer?
    /// Read by libmicrohttpd until `MHD_stop_daemon` returns (it is the logger's context): freed after.
    private var settings: UnsafeMutablePointer<sb_mhd_settings>?
    private var listenFD: Int32 = -1
    private var boundPort = 0

    /// - Parameters:
    ///   - onRequestCompleted: called on a server thread after every request (access log, metrics).
    ///   - onServerMessage: receives libmicrohttpd's own diagnostics (nil: they go to stderr).
    public init(configuration: HTTPServerConfiguration, router: Router,
                onRequestCompleted: (@Sendable (HTTPRequestRecord) -> Void)? = nil,
                onServerMessage: (@Sendable (String) -> Void)? = nil) {
        self.configuration = configuration
        self.core = ServerCore(configuration: configuration, router: router, onRequestCompleted: onRequestCompleted,
                               onServerMessage: onServerMessage)
    }

    deinit {
        shutdown(graceSeconds: 0)
    }

    /// The port the server listens on (useful with port 0).
    public var port: Int { lock.withLock { boundPort } }

    public var statistics: HTTPServerStatistics { core.currentStatistics }

    /// Binds and starts serving. Throws when the address cannot be bound or libmicrohttpd refuses to start.
    public func start() throws {
        try lock.withLock {
            guard phase == .idle else { throw HTTPServerError(description: "server already started") }
            let descriptors = ProcessResources.raiseDescriptorLimit()
            if descriptors > 0, descriptors < configuration.connectionLimit + 64 {
                core.forwardServerMessage("the open-file limit (\(descriptors)) is below connection_limit "
                                          + "(\(configuration.connectionLimit)) plus headroom: connections past it are refused")
            }
            ProcessResources.returnFreedMemory()
            let fd = try ListenSocket.open(host: configuration.host, port: configuration.port,
                                           backlog: Int32(clamping: configuration.backlog))
            let settings = UnsafeMutablePointer<sb_mhd_settings>.allocate(capacity: 1)
            settings.initialize(to: sb_mhd_settings())
            // poll(), not epoll: with epoll, libmicrohttpd 0.9.75's MHD_quiesce_daemon races its own workers
            // over removing the listening socket from their epoll sets and, losing, aborts the process
            // ("Failed to remove listen FD from epoll set"); seen here under the sanitizers, an open
            // upstream defect. poll() rebuilds its set each round, so quiescing has no such race, and
            // unlike select() it has no FD_SETSIZE ceiling (tested with 1,100 connections).
            settings.pointee.flags = UInt32(MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_POLL.rawValue
                                    | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ERROR_LOG.rawValue)
            settings.pointee.listen_fd = fd
            settings.pointee.thread_pool_size = UInt32(clamping: max(1, configuration.threads))
            settings.pointee.connection_limit = UInt32(clamping: configuration.connectionLimit)
            settings.pointee.per_ip_connection_limit = UInt32(clamping: configuration.connectionLimitPerIP)
            settings.pointee.connection_timeout = UInt32(clamping: configuration.idleTimeoutSeconds)
            // Headroom over our own header limit, so oversized headers reach our JSON 431 first.
            settings.pointee.connection_memory_limit = configuration.maxHeaderBytes + (32 << 10)
            let context = Unmanaged.passUnretained(core).toOpaque()
            settings.pointee.access_handler = accessHandler
            settings.pointee.access_handler_cls = context
            settings.pointee.completed = requestCompleted
            settings.pointee.completed_cls = context
            settings.pointee.notify_connection = connectionNotified
            settings.pointee.notify_connection_cls = context
            settings.pointee.request_line = requestLineRead
            settings.pointee.request_line_cls = context
            // Always ours: the per-connection "connection limit" line is counted and thinned there.
            settings.pointee.log_message = serverMessage
            settings.pointee.log_message_cls = context
            guard let started = sb_mhd_start(settings) else {
                settings.deallocate()
                close(fd)
                throw HTTPServerError(description: "libmicrohttpd refused to start on \(configuration.host):\(configuration.port)")
            }
            core.deadlines.start()
            daemon = started
            self.settings = settings
            phase = .running
            listenFD = fd
            boundPort = Int(sb_mhd_bind_port(started))
        }
    }

    /// Stops gracefully: stops accepting, lets in-flight requests finish for up to `graceSeconds`
    /// (default: the configuration's), answers requests still parked with 503, then stops the workers.
    /// Responses sent while draining carry `Connection: close`. Safe to call more than once and from
    /// several threads: every call returns only once the server has stopped.
    public func shutdown(graceSeconds: Double? = nil) {
        let running: OpaquePointer? = lock.withLock {
            switch phase {
            case .idle:
                phase = .stopped
                return nil
            case .stopping, .stopped:
                while phase != .stopped { lock.wait() }
                return nil
            case .running:
                phase = .stopping
                return daemon
            }
        }
        guard let running else { return }
        core.beginDraining()
        // Quiescing hands the listening socket back; closing it refuses new connections at once.
        let quiescedFD = MHD_quiesce_daemon(running)
        if quiescedFD >= 0 { close(quiescedFD) }
        let grace = graceSeconds ?? configuration.shutdownGraceSeconds
        _ = core.waitForIdle(until: Date(timeIntervalSinceNow: grace))
        // libmicrohttpd aborts the process if stopped with a suspended connection: release them first.
        core.releaseParked(until: Date(timeIntervalSinceNow: 5))
        // Resumed is not yet sent: give those answers (and anything else still finishing) a moment to
        // reach their clients before the daemon closes every connection.
        _ = core.waitForIdle(until: Date(timeIntervalSinceNow: 2))
        MHD_stop_daemon(running)
        core.deadlines.stop()
        lock.withLock {
            daemon = nil
            settings?.deallocate()
            settings = nil
            phase = .stopped
            lock.broadcast()
        }
    }
}

// MARK: libmicrohttpd callbacks (C threads). `cls` is the unretained `ServerCore`; see its ownership note.

private let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, slot in
    guard let cls, let connection, let uploadSize, let slot else { return .NO }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    return core.access(connection: connection, url: url, method: method, uploadData: uploadData,
                       uploadSize: uploadSize, slot: slot)
}

/// Takes back the reference `beginRequest` stored in the per-request slot.
private let requestCompleted: MHD_RequestCompletedCallback = { cls, _, slot, termination in
    guard let cls, let slot, let raw = slot.pointee else { return }
    slot.pointee = nil
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    let context = Unmanaged<RequestContext>.fromOpaque(raw).takeRetainedValue()
    core.completed(context, termination: termination)
}

private let serverMessage: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> Void = { cls, message in
    guard let cls, let message else { return }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    core.forwardServerMessage(String(cString: message))
}

/// Keeps each connection's `ConnectionClock` (retained) in its socket context from accept to close.
private let connectionNotified: MHD_NotifyConnectionCallback = { cls, connection, socketContext, code in
    guard let cls else { return }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    if code == .CONNECTION_NOTIFY_STARTED {
        core.connectionOpened()
        guard let connection, let socketContext else { return }
        let clock = core.deadlines.opened(fd: sb_mhd_connection_fd(connection))
        socketContext.pointee = Unmanaged.passRetained(clock).toOpaque()
    } else {
        core.connectionClosed()
        guard let socketContext, let raw = socketContext.pointee else { return }
        socketContext.pointee = nil
        core.deadlines.closed(Unmanaged<ConnectionClock>.fromOpaque(raw).takeRetainedValue())
    }
}

/// A request line was read (`MHD_OPTION_URI_LOG_CALLBACK`): a kept-alive connection's next header
/// deadline starts. Returns NULL, the request's initial context, as before the option was set.
private let requestLineRead: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, OpaquePointer?)
    -> UnsafeMutableRawPointer? = { cls, _, connection in
    guard let cls, let connection, let raw = sb_mhd_socket_context(connection) else { return nil }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    core.deadlines.requestLineRead(Unmanaged<ConnectionClock>.fromOpaque(raw).takeUnretainedValue())
    return nil
}
