/// Limits and placement of an `HTTPServer`.
public struct HTTPServerConfiguration: Sendable {
    /// Address to listen on: an IPv4 or IPv6 literal or a host name.
    public var host: String
    /// TCP port; 0 picks a free one (read it back from `HTTPServer.port`).
    public var port: Int
    /// libmicrohttpd worker threads (each runs its own epoll loop).
    public var threads: Int
    /// Connections open at once. Past it libmicrohttpd stops accepting: further connections wait in the
    /// kernel's listen backlog (up to `backlog`) until a slot frees.
    public var connectionLimit: Int
    /// A connection idle this long (no bytes either way) is closed. Suspended requests never time out.
    public var idleTimeoutSeconds: Int
    /// Largest request body. A larger declared `Content-Length` gets 413 before the body is read;
    /// a chunked body that grows past it gets 413 as soon as it does.
    public var maxBodyBytes: Int
    /// Largest request line plus headers; larger gets a JSON 431. (libmicrohttpd's memory pool is sized
    /// 32 KiB above this; headers too large even for that get its own plain 431.)
    public var maxHeaderBytes: Int
    /// The listen backlog.
    public var backlog: Int
    /// How long `shutdown()` waits for in-flight requests before answering the still-parked ones 503.
    public var shutdownGraceSeconds: Double

    public init(host: String = "127.0.0.1", port: Int = 8080, threads: Int = HTTPServerConfiguration.defaultThreads,
                connectionLimit: Int = 1024, idleTimeoutSeconds: Int = 60, maxBodyBytes: Int = 1 << 20,
                maxHeaderBytes: Int = 32 << 10, backlog: Int = 1024, shutdownGraceSeconds: Double = 10) {
        self.host = host
        self.port = port
        self.threads = threads
        self.connectionLimit = connectionLimit
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.backlog = backlog
        self.shutdownGraceSeconds = shutdownGraceSeconds
    }

    /// One worker per core, at least two.
    public static var defaultThreads: Int {
        max(2, ProcessInfo.processInfo.activeProcessorCount)
    }
}

import Foundation

/// What the server reports about each finished request (for the access log and metrics).
public struct HTTPRequestRecord: Sendable {
    public var method: String
    public var path: String
    /// The matched route pattern (`/v1/ingest/{source}`), nil when none matched: a bounded metrics label.
    public var route: String?
    /// The status sent, or 0 when none was (the client went away first).
    public var status: Int
    public var durationSeconds: Double
    public var requestBytes: Int
    public var remoteAddress: String
    /// False when the connection ended before the response was fully sent.
    public var completed: Bool
    /// True when the request was parked while a handler worked elsewhere.
    public var suspended: Bool
    /// The `type` of the JSON error body sent (`unauthorized`, `unknown_source`, …), nil for other answers.
    public var errorType: String? = nil
}

/// Counters the server keeps, for tests and metrics.
public struct HTTPServerStatistics: Sendable, Equatable {
    public var connectionsOpened = 0
    public var connectionsClosed = 0
    public var requestsCompleted = 0
    public var requestsInFlight = 0
    public var requestsSuspended = 0

    public init(connectionsOpened: Int = 0, connectionsClosed: Int = 0, requestsCompleted: Int = 0,
                requestsInFlight: Int = 0, requestsSuspended: Int = 0) {
        self.connectionsOpened = connectionsOpened
        self.connectionsClosed = connectionsClosed
        self.requestsCompleted = requestsCompleted
        self.requestsInFlight = requestsInFlight
        self.requestsSuspended = requestsSuspended
    }
}
