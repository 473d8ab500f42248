/// Limits and placement of an `HTTPServer`.
public struct HTTPServerConfiguration: Sendable {
    /// Address to listen on: an IPv4 or IPv6 literal or a host name.
    public var host: String
    /// TCP port; 0 picks a free one (read it back from `HTTPServer.port`).
    public var port: Int
    /// libmicrohttpd worker threads (each runs its own poll() loop).
    public var threads: Int
    /// Connections open at once. Past it libmicrohttpd stops accepting: further connections wait in the
    /// kernel's listen backlog (up to `backlog`) until a slot frees.
    public var connectionLimit: Int
    /// Connections open at once from one address; a further one is closed as soon as it is accepted,
    /// so a flood from one address cannot take the slots other addresses need.
    public var connectionLimitPerIP: Int
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
    /// Total time from a request's start (its connection's accept, or on a kept-alive connection its
    /// request line) to its complete header block; past it the connection is closed. Unlike
    /// `idleTimeoutSeconds`, trickled bytes do not extend it (slowloris).
    public var headerTimeoutMilliseconds: Int
    /// Total time from the complete header block to the complete body; past it the connection is closed.
    public var bodyTimeoutMilliseconds: Int
    /// Request bodies buffered at once, all connections together (declared lengths are reserved when the
    /// headers arrive). A request that would pass it gets 503 with `Retry-After`.
    public var maxInflightBodyBytes: Int
    /// The same, per client address.
    public var maxInflightBodyBytesPerIP: Int
    /// How long `shutdown()` waits for in-flight requests before answering the still-parked ones 503.
    public var shutdownGraceSeconds: Double

    public init(host: String = "127.0.0.1", port: Int = 8080, threads: Int = HTTPServerConfiguration.defaultThreads,
                connectionLimit: Int = 10_000, connectionLimitPerIP: Int = 256, idleTimeoutSeconds: Int = 60,
                maxBodyBytes: Int = 1 << 20, maxHeaderBytes: Int = 32 << 10, backlog: Int = 1024,
                shutdownGraceSeconds: Double = 10, headerTimeoutMilliseconds: Int = 10_000,
                bodyTimeoutMilliseconds: Int = 30_000, maxInflightBodyBytes: Int = 256 << 20,
                maxInflightBodyBytesPerIP: Int = 32 << 20) {
        self.host = host
        self.port = port
        self.threads = threads
        self.connectionLimit = connectionLimit
        self.connectionLimitPerIP = connectionLimitPerIP
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.backlog = backlog
        self.shutdownGraceSeconds = shutdownGraceSeconds
        self.headerTimeoutMilliseconds = headerTimeoutMilliseconds
        self.bodyTimeoutMilliseconds = bodyTimeoutMilliseconds
        self.maxInflightBodyBytes = maxInflightBodyBytes
        self.maxInflightBodyBytesPerIP = maxInflightBodyBytesPerIP
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
    /// Request-body bytes reserved now (see `maxInflightBodyBytes`).
    public var inflightBodyBytes = 0
    /// Requests and connections refused or cut by a limit, by reason: `preflight` (a route's header
    /// check answered), `inflight_body_cap` (503), `connection_limit` (closed at accept: per-address or
    /// total limit), `header_timeout` and `body_timeout` (closed at their deadline).
    public var rejected: [String: Int] = [:]

    public init(connectionsOpened: Int = 0, connectionsClosed: Int = 0, requestsCompleted: Int = 0,
                requestsInFlight: Int = 0, requestsSuspended: Int = 0, inflightBodyBytes: Int = 0,
                rejected: [String: Int] = [:]) {
        self.connectionsOpened = connectionsOpened
        self.connectionsClosed = connectionsClosed
        self.requestsCompleted = requestsCompleted
        self.requestsInFlight = requestsInFlight
        self.requestsSuspended = requestsSuspended
        self.inflightBodyBytes = inflightBodyBytes
        self.rejected = rejected
    }
}
